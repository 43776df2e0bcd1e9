// Small pictures of the data sets for the picker. They are icons drawn from
// each data set's description, not the engine's data (that is drawn live in
// the output plot).

import { CLASS_RGB, diverging, lighten, rgbString } from '../colors.js';

function rng(seed) {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 4294967296);
}

function gaussian(r) {
  return Math.sqrt(-2 * Math.log(r() + 1e-9)) * Math.cos(2 * Math.PI * r());
}

const POINTS = {
  circle(r) {
    const pts = [];
    for (let i = 0; i < 70; i++) {
      const inner = i % 2 === 0;
      const rad = inner ? r() * 2.5 : 3.5 + r() * 1.5, t = r() * 2 * Math.PI;
      pts.push([rad * Math.cos(t), rad * Math.sin(t), inner ? 1 : 0]);
    }
    return pts;
  },
  xor(r) {
    return Array.from({ length: 70 }, () => {
      const x = r() * 10 - 5, y = r() * 10 - 5;
      return [x, y, x * y > 0 ? 1 : 0];
    });
  },
  gauss(r) {
    return Array.from({ length: 70 }, (_, i) => {
      const c = i % 2 ? 2 : -2;
      return [c + gaussian(r), c + gaussian(r), i % 2];
    });
  },
  spiral(r) { return spiral(r, 2).map(([x, y, k]) => [x, y, 1 - k]); },
  spiral3(r) { return spiral(r, 3); },
  moons(r) {
    return Array.from({ length: 70 }, (_, i) => {
      const t = r() * Math.PI;
      const top = i % 2 === 0;
      const p = top ? [Math.cos(t), Math.sin(t)] : [1 - Math.cos(t), 0.5 - Math.sin(t)];
      return [(p[0] - 0.5) * 3.2, (p[1] - 0.25) * 3.2, top ? 1 : 0];
    });
  },
};

function spiral(r, arms) {
  const pts = [];
  for (let k = 0; k < arms; k++) {
    for (let i = 0; i < 36; i++) {
      const s = i / 36, rad = 5 * s, t = 1.75 * 2 * Math.PI * s + (2 * Math.PI * k) / arms;
      pts.push([rad * Math.sin(t) + gaussian(r) * 0.1, rad * Math.cos(t) + gaussian(r) * 0.1, k]);
    }
  }
  return pts;
}

const SURFACES = {
  plane: (x, y) => (x + y) / 12,
  multigauss: (x, y) => {
    const bumps = [[-4, 2.5, 1], [0, 2.5, -1], [4, 2.5, 1], [-4, -2.5, -1], [0, -2.5, 1], [4, -2.5, -1]];
    return bumps.reduce((a, [bx, by, s]) => a + s * Math.exp(-((x - bx) ** 2 + (y - by) ** 2) / (2 * 1.6 ** 2)), 0);
  },
};

export function drawThumbnail(canvas, name) {
  const size = canvas.width;
  const ctx = canvas.getContext('2d');
  const toPx = (v) => ((v + 6) / 12) * size;
  ctx.fillStyle = '#fbfbfc';
  ctx.fillRect(0, 0, size, size);
  if (SURFACES[name]) {
    const img = ctx.createImageData(size, size);
    for (let py = 0; py < size; py++) {
      for (let px = 0; px < size; px++) {
        const x = (px / size) * 12 - 6, y = 6 - (py / size) * 12;
        const c = lighten(diverging(SURFACES[name](x, y)), 0.15);
        const o = (py * size + px) * 4;
        img.data[o] = c[0]; img.data[o + 1] = c[1]; img.data[o + 2] = c[2]; img.data[o + 3] = 255;
      }
    }
    ctx.putImageData(img, 0, 0);
    return;
  }
  if (name === 'sine') {
    const r = rng(7);
    ctx.fillStyle = rgbString(CLASS_RGB[0]);
    for (let i = 0; i < 40; i++) {
      const x = r() * 12 - 6, y = Math.sin(x) + gaussian(r) * 0.15;
      ctx.beginPath(); ctx.arc(toPx(x), toPx(-y * 3), 1.6, 0, 2 * Math.PI); ctx.fill();
    }
    ctx.strokeStyle = '#374151'; ctx.lineWidth = 1.5; ctx.beginPath();
    for (let px = 0; px <= size; px++) {
      const x = (px / size) * 12 - 6;
      const py = toPx(-Math.sin(x) * 3);
      if (px === 0) ctx.moveTo(px, py); else ctx.lineTo(px, py);
    }
    ctx.stroke();
    return;
  }
  if (name === 'custom') {
    const pts = [[-3, 2, 0], [-2, 3.5, 0], [-4, 3, 0], [2.5, -2, 1], [3.5, -3, 1], [2, -3.8, 1]];
    drawPoints(ctx, pts, toPx, 2.6);
    ctx.fillStyle = '#374151';
    ctx.font = `${Math.round(size * 0.42)}px system-ui, sans-serif`;
    ctx.textAlign = 'center'; ctx.textBaseline = 'middle';
    ctx.fillText('✎', size * 0.62, size * 0.36);
    return;
  }
  const make = POINTS[name];
  if (make) drawPoints(ctx, make(rng(name.length * 97 + 13)), toPx, 1.7);
}

function drawPoints(ctx, pts, toPx, radius) {
  for (const [x, y, k] of pts) {
    ctx.fillStyle = rgbString(CLASS_RGB[k]);
    ctx.beginPath();
    ctx.arc(toPx(x), toPx(-y), radius, 0, 2 * Math.PI);
    ctx.fill();
  }
}
