// The hidden layers for the drawing (#activations): per hidden layer a .note label, then a
// canvas of its units (a square each) or, for a conv layer, a .maps grid of one canvas per
// feature map. No endpoint (the "activations" of POST /predict, handed in by verdict.js).

import { byId } from "./api.js";
import { largest, paintGrey } from "./pictures.js";

const UNITS_PER_ROW = 16;
const UNIT_CELL = 12; // pixels per unit
const MAPS_PER_ROW = 8; // a conv layer's feature maps, as `digitnet plot` lays them out

// Each layer's activations: a list of numbers, or C lists of H rows of W numbers. null: none.
export function showHidden(layers) {
  const box = byId("activations");
  box.replaceChildren();
  (layers || []).forEach((values, i) => {
    const label = document.createElement("div");
    label.className = "note";
    if (Array.isArray(values[0])) { // a conv layer's feature maps: C x H x W
      const [height, width] = [values[0].length, values[0][0].length];
      label.textContent = `layer ${i + 1}: ${values.length} feature maps, ${height}\u00d7${width}`;
      box.append(label, featureMaps(values));
      return;
    }
    label.textContent = `layer ${i + 1}: ${values.length} units`;
    const canvas = document.createElement("canvas");
    paintGrey(canvas, values, UNITS_PER_ROW, { cell: UNIT_CELL, gap: true });
    box.append(label, canvas);
  });
}

// One small canvas per feature map, a pixel per value (CSS scales it up), grey from black (0)
// to white (the layer's largest value).
function featureMaps(maps) {
  const grid = document.createElement("div");
  grid.className = "maps";
  grid.style.gridTemplateColumns = `repeat(${Math.min(maps.length, MAPS_PER_ROW)}, auto)`;
  const top = largest(maps.flat(2));
  maps.forEach((map, channel) => {
    const canvas = document.createElement("canvas");
    canvas.title = `map ${channel + 1}`;
    paintGrey(canvas, map.flat(), map[0].length, { top });
    grid.appendChild(canvas);
  });
  return grid;
}
