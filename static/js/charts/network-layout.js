// Geometry of the network diagram, in plot pixels with y pointing up:
// one column per layer (inputs, hidden layers, output), each neuron a square
// tile, each weight an S-shaped edge from the right side of its source tile
// to the left side of its target tile. Pure: no drawing here.

// `left` and `right` keep room at the sides for the input and output labels.
export function layoutNetwork(sizes, width, height, left = 0, right = 0) {
  const cols = sizes.length;
  const colW = (width - left - right) / cols;
  const maxN = Math.max(...sizes);
  const pad = 14;
  const usable = Math.max(40, height - 2 * pad);
  let tile = Math.min(Math.max(54, height / 7), colW * 0.4, usable / (maxN * 1.25));
  tile = Math.max(6, Math.floor(tile));
  const spacing = maxN > 1 ? Math.min(tile * 1.6, (usable - tile) / (maxN - 1)) : 0;
  const columns = sizes.map((_, c) => left + (c + 0.5) * colW);
  const nodes = sizes.map((n, c) => Array.from({ length: n }, (_, i) => ({
    x: columns[c],
    y: height / 2 + ((n - 1) / 2 - i) * spacing,
  })));
  const edges = [];
  for (let l = 1; l < cols; l++) {
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
  return { sizes, width, height, left, right, tile, columns, nodes, edges, bias };
}

/** Where a neuron's bias square sits: just outside its bottom-left corner. */
export function biasPosition(geo, node) {
  return { x: node.x - geo.tile / 2 - geo.bias / 2 - 2, y: node.y - geo.tile / 2 + geo.bias / 2 };
}
