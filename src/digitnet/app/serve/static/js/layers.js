// Per-layer statistics (#layer-stats): for each weight layer the root mean square of its weights
// and of their last gradients, and its share of dead units (a row in red when mostly dead). No
// endpoint: it shows the "layers" of GET /api/view that train.js fetches.

import { byId, formatPercent } from "./api.js";

const MOSTLY_DEAD = 0.5;

function formatSize(value) {
  if (value === null || value === undefined) return "\u2013";
  if (value !== 0 && Math.abs(value) < 1e-3) return value.toExponential(1);
  return String(Number(value.toPrecision(3)));
}

function buildHead(table) {
  const head = table.createTHead().insertRow();
  for (const name of ["layer", "weights", "gradients", "dead"]) {
    const th = document.createElement("th");
    th.textContent = name;
    head.appendChild(th);
  }
  table.createTBody();
}

export function showLayers(layers) {
  const table = byId("layer-stats");
  if (!table.tHead) buildHead(table);
  const body = table.tBodies[0];
  body.replaceChildren();
  for (const layer of layers || []) {
    const row = body.insertRow();
    const values = [layer.name, formatSize(layer.weights_rms), formatSize(layer.gradients_rms),
                    formatPercent(layer.dead)];
    values.forEach((text, i) => {
      const cell = row.insertCell();
      cell.textContent = text;
      if (i) cell.className = "number";
    });
    if (layer.dead !== null && layer.dead > MOSTLY_DEAD) row.className = "warn";
  }
}
