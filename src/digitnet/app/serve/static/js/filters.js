// The first layer's weights (#filters): each unit's (dense) or filter's (conv) weights as a small
// picture, red where ink raises the unit's input, blue where it lowers it, white for no effect;
// #filters-note says what they are. No endpoint: it shows the "filters" of GET /api/view and
// /api/snapshot/<epoch> that time.js hands it (uint8 pictures as base64, 128 for 0).

import { byId, decodeBytes } from "./api.js";
import { paintSigned } from "./pictures.js";

const PER_ROW = 8;

function buildCanvases(box, count, height) {
  box.replaceChildren();
  for (let i = 0; i < count; i++) {
    const canvas = document.createElement("canvas");
    canvas.title = `${height > 8 ? "unit" : "filter"} ${i + 1}`;
    box.appendChild(canvas);
  }
}

// filters: {count, height, width, data}; layerName: the first layer's ("dense 128"), or null.
export function showFilters(filters, layerName) {
  const box = byId("filters");
  if (!filters || !filters.count) { box.replaceChildren(); return; }
  const { count, height, width } = filters;
  const bytes = decodeBytes(filters.data);
  box.style.gridTemplateColumns = `repeat(${Math.min(count, PER_ROW)}, auto)`;
  if (box.children.length !== count || box.dataset.size !== `${height}x${width}`) {
    buildCanvases(box, count, height);
    box.dataset.size = `${height}x${width}`;
  }
  const size = height * width;
  [...box.children].forEach((canvas, i) => {
    const weights = Array.from(bytes.subarray(i * size, (i + 1) * size), (b) => (b - 128) / 127);
    paintSigned(canvas, weights, width, { top: 1 }); // each scaled by the server already
  });
  const layer = layerName ? `${layerName}: ` : "";
  const what = layerName && layerName.startsWith("conv")
    ? `${count} filters of ${height}\u00d7${width} (on the first input channel)`
    : `the first ${count} units, each its ${height * width} weights as a ` +
      `${height}\u00d7${width} picture`;
  byId("filters-note").textContent =
    `${layer}${what}; red: ink there turns it on, blue: off (each on its own scale)`;
}
