// The strip of test digits (#strip): 24 test images, ink bright, each with what the network reads
// in it now, green when right, red when wrong (the true digit in brackets), by the classes' names
// (classes.js). Each .strip-digit cell has data-label and data-prediction. No endpoint: it shows
// the "strip" of GET /api/view that train.js fetches.

import { byId, decodeBytes } from "./api.js";
import { aNameOf, nameOf } from "./classes.js";
import { paintGrey } from "./pictures.js";

const SIDE = 28;

function buildCells(box, count) {
  box.replaceChildren();
  for (let i = 0; i < count; i++) {
    const cell = document.createElement("div");
    cell.className = "strip-digit";
    const canvas = document.createElement("canvas");
    canvas.width = canvas.height = SIDE;
    const read = document.createElement("span");
    read.className = "read";
    cell.append(canvas, read);
    box.appendChild(cell);
  }
}

export function showStrip(strip) {
  const box = byId("strip");
  const count = strip.labels.length;
  if (box.children.length !== count) buildCells(box, count); // then updated in place
  const pixels = decodeBytes(strip.images);
  [...box.children].forEach((cell, i) => {
    const [label, prediction] = [strip.labels[i], strip.predictions[i]];
    const right = label === prediction;
    cell.dataset.label = label;
    cell.dataset.prediction = prediction;
    cell.classList.toggle("right", right);
    cell.classList.toggle("wrong", !right);
    const read = nameOf(prediction);
    cell.title = right ? `${aNameOf(label)}, read right` : `${aNameOf(label)}, read as ${read}`;
    cell.querySelector(".read").textContent = right ? read : `${read} (${nameOf(label)})`;
    const image = pixels.subarray(i * SIDE * SIDE, (i + 1) * SIDE * SIDE);
    paintGrey(cell.querySelector("canvas"), image, SIDE, { top: 255 });
  });
}
