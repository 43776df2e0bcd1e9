// Decoding the frame's quantised heat-maps and painting them.
// A map is {lo, hi, data: base64 of R·R bytes (or R for one-input data)},
// value ≈ lo + byte/255·(hi − lo), row-major, x2 along rows from −6 upwards.

import { diverging } from './colors.js';

export function decodeBytes(b64) {
  const s = atob(b64);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

/** The value a byte stands for. */
export function byteValue(map, byte) {
  return map.lo + (byte / 255) * (map.hi - map.lo);
}

/** The lowest and highest value a map holds, as [lo, hi, exact]: a tanh,
 * sigmoid or softmax map is quantised over its activation's whole range (−1…1,
 * 0…1), which is not the range the neuron reaches; its bytes tell that, to
 * within 1/255 of the range (`exact` false). */
export function mapRange(map, fixed = false) {
  const bytes = decodeBytes(map.data);
  let min = 255, max = 0;
  for (const b of bytes) { if (b < min) min = b; if (b > max) max = b; }
  if (!bytes.length) return [map.lo, map.hi, !fixed];
  // a map of its own range has its lowest value at byte 0 and its highest at 255 exactly;
  // a fixed one (`fixed`) only says "within 1/255 of the bound" there
  return [byteValue(map, min), byteValue(map, max), !fixed && min === 0 && max === 255];
}

/** Where the colour scale is centred for an activation's values, and its half-width. */
export function centreOf(activation, map) {
  if (activation === 'sigmoid' || activation === 'softmax') return { centre: 0.5, half: 0.5 };
  const half = Math.max(Math.abs(map.lo ?? 0), Math.abs(map.hi ?? 0)) || 1;
  return { centre: 0, half };
}

const LUTS = new Map();   // tables by (lo, hi, centre, half): fixed-range maps share one

/** A 256-entry RGBA lookup table from bytes to colours for one map. */
export function lutFor(map, centre, half, lightenBy = 0) {
  const key = `${map.lo},${map.hi},${centre},${half},${lightenBy}`;
  const known = LUTS.get(key);
  if (known) return known;
  if (LUTS.size > 512) LUTS.clear();
  const lut = new Uint8ClampedArray(256 * 4);
  const lo = map.lo ?? 0, span = (map.hi ?? 0) - lo;
  for (let b = 0; b < 256; b++) {
    const v = lo + (b / 255) * span;
    let [r, g, bl] = diverging((v - centre) / half);
    if (lightenBy) { r += (255 - r) * lightenBy; g += (255 - g) * lightenBy; bl += (255 - bl) * lightenBy; }
    lut[b * 4] = r; lut[b * 4 + 1] = g; lut[b * 4 + 2] = bl; lut[b * 4 + 3] = 255;
  }
  LUTS.set(key, lut);
  return lut;
}

/**
 * Paint one map into `image` (an ImageData) at (ox, oy), `size`×`size`
 * pixels, with one pixel per map cell (R must equal size for 2-D maps; a
 * one-input map of length R is drawn as vertical stripes).
 */
export function paintMap(image, ox, oy, size, bytes, lut, twoD) {
  const W = image.width, px = image.data;
  const R = twoD ? Math.round(Math.sqrt(bytes.length)) : bytes.length;
  for (let row = 0; row < size; row++) {
    // canvas rows go down; the map's rows go up (x2 from −6)
    const mr = twoD ? Math.min(R - 1, Math.floor(((size - 1 - row) * R) / size)) : 0;
    const y = oy + row;
    if (y < 0 || y >= image.height) continue;
    for (let col = 0; col < size; col++) {
      const mc = Math.min(R - 1, Math.floor((col * R) / size));
      const x = ox + col;
      if (x < 0 || x >= W) continue;
      const b = twoD ? bytes[mr * R + mc] : bytes[mc];
      const o = (y * W + x) * 4, l = b * 4;
      px[o] = lut[l]; px[o + 1] = lut[l + 1]; px[o + 2] = lut[l + 2]; px[o + 3] = 255;
    }
  }
}
