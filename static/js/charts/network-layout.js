// Geometry of the network diagram, in plot pixels with y pointing up:
// one column per layer (inputs, hidden layers, output), each neuron a square
// tile, each weight an S-shaped edge from the right side of its source tile
// to the left side of its target tile. Pure: no drawing here.

/** The least distance between the centres of two tiles of a column, where it has the room: a label's height. */
export const LABEL_GAP = 18;

// `left` and `right` keep room at the sides for the input and output labels.
export function layoutNetwork(sizes, width, height, left = 0, right = 0) {
  const cols = sizes.length;
  const colW = (width - left - right) / cols;
  const maxN = Math.max(...sizes);
  const pad = 14;
  const usable = Math.max(40, height - 2 * pad);
  let tile = Math.min(Math.max(54, height / 7), colW * 0.4, usable / (maxN * 1.25));
  tile = Math.max(6, Math.floor(tile));
  // The densest column's spacing is every column's, but a sparser one keeps its tiles LABEL_GAP
  // apart where it has the room: beside a column of 16, the three outputs of a three-class
  // network were 6 px tiles whose labels ŷ₁ ŷ₂ ŷ₃ ran into each other.
  const spacing = maxN > 1 ? Math.min(tile * 1.6, (usable - tile) / (maxN - 1)) : 0;
  const spacingOf = (n) => (n > 1 ? Math.min(Math.max(spacing, LABEL_GAP), (usable - tile) / (n - 1)) : 0);
  const columns = sizes.map((_, c) => left + (c + 0.5) * colW);
  const nodes = sizes.map((n, c) => Array.from({ length: n }, (_, i) => ({
    x: columns[c],
    y: height / 2 + ((n - 1) / 2 - i) * spacingOf(n),
  })));
  const edges = [];
  const starts = [];   // starts[l]: the index in `edges` of weight layer l's first edge
  for (let l = 1; l < cols; l++) {
    starts.push(edges.length);
    for (let j = 0; j < sizes[l]; j++) {
      for (let i = 0; i < sizes[l - 1]; i++) {
        const a = nodes[l - 1][i], b = nodes[l][j];
        const x0 = a.x + tile / 2, x1 = b.x - tile / 2;
        const dx = x1 - x0;
        edges.push({
          layer: l - 1, to: j, from: i,          // W[layer][to][from]
          xs: [x0, x0 + dx * 0.35, x1 - dx * 0.35, x1],
          ys: [a.y, a.y, b.y, b.y],
          mx: (x0 + x1) / 2, my: (a.y + b.y) / 2,
        });
      }
    }
  }
  const bias = Math.max(4, Math.round(tile * 0.2));
  return { sizes, width, height, left, right, tile, columns, nodes, edges, starts, bias };
}

// An edge's x along its curve: the cubic Bézier's x(t) from the layout's control
// points (0, 0.35, 0.65, 1 of the way), as a share u(t) of the span, and its slope.
const shareAt = (t) => 1.05 * (1 - t) ** 2 * t + 1.95 * (1 - t) * t * t + t ** 3;
const shareSlope = (t) => 1.05 * ((1 - t) ** 2 - 2 * t * (1 - t)) + 1.95 * (2 * t * (1 - t) - t * t) + 3 * t * t;

/** The edge under the point (px, py) (plot pixels, y up), as the eye sees it:
 * of the edges whose stroke covers the point, the one drawn on top; failing
 * that, the one whose stroke passes nearest, if within `within` pixels; else
 * null. `stroke(k)` is edge k's stroke: `{ half, order }` (half its width, and
 * the order strokes are drawn in: the last on top), or null if it is not drawn.
 * Every edge of a layer spans the same x and has the same x(t), so at the
 * pointer's x all of them are at the same t, where edge a → b is at
 * y = a.y + s·(b.y − a.y), s = 3t² − 2t³: one multiply-add an edge. */
export function edgeAt(geo, px, py, stroke, within = 6) {
  const { nodes, tile, edges, starts } = geo;
  for (let l = 0; l < starts.length; l++) {
    const x0 = nodes[l][0].x + tile / 2, x1 = nodes[l + 1][0].x - tile / 2;
    if (px < x0 || px > x1 || x1 <= x0) continue;
    const u = (px - x0) / (x1 - x0);
    let lo = 0, hi = 1;
    for (let k = 0; k < 30; k++) { const mid = (lo + hi) / 2; if (shareAt(mid) < u) lo = mid; else hi = mid; }
    const t = (lo + hi) / 2;
    const s = t * t * (3 - 2 * t), slope = (6 * t * (1 - t)) / ((x1 - x0) * shareSlope(t));
    const end = l + 1 < starts.length ? starts[l + 1] : edges.length;
    let top = -1, topOrder = -Infinity, near = -1, nearGap = within;
    for (let k = starts[l]; k < end; k++) {
      const st = stroke(k);
      if (!st) continue;
      const e = edges[k];
      const ya = e.ys[0], dy = e.ys[3] - ya;
      const gap = Math.abs(py - (ya + s * dy)) / Math.hypot(1, dy * slope) - st.half;  // across the curve, from the stroke's side
      if (gap <= 0.5 && st.order >= topOrder) { top = k; topOrder = st.order; }
      if (gap < nearGap) { near = k; nearGap = gap; }
    }
    const index = top >= 0 ? top : near;
    return index >= 0 ? index : null;
  }
  return null;
}

/** Where a neuron's bias square sits: just outside its bottom-left corner. */
export function biasPosition(geo, node) {
  return { x: node.x - geo.tile / 2 - geo.bias / 2 - 2, y: node.y - geo.tile / 2 + geo.bias / 2 };
}
