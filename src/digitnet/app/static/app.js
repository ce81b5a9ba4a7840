// The drawing page: draw on #pad, send the drawing to POST /predict, show the answer.
// Hooks for tests: #pad, #clear, #prediction, #bars (a .bar row per digit, its .fill as wide
// as the probability), #activations (per hidden layer a .note label, then a canvas of its units
// or, for a conv layer, a .maps grid of one canvas per feature map), and window.lastResult
// (the last answer).
"use strict";

const pad = document.getElementById("pad");
const pen = pad.getContext("2d");
const SEND_SIZE = 140; // the drawing is sent as 140x140 grayscale rows (ink bright)
const MAPS_PER_ROW = 8; // a conv layer's feature maps, as `digitnet plot` lays them out
let drawing = false;
let last = null;
let inFlight = false;
let dirty = false;
let hasInk = false;
window.lastResult = null;

function clearPad() {
  pen.fillStyle = "black";
  pen.fillRect(0, 0, pad.width, pad.height);
  hasInk = false;
  window.lastResult = null;
  document.getElementById("prediction").textContent = "?";
  document.getElementById("status").textContent = "draw a digit";
  drawBars(null);
  drawInput(null);
  document.getElementById("activations").replaceChildren();
}

function point(event) {
  const box = pad.getBoundingClientRect();
  return { x: (event.clientX - box.left) * pad.width / box.width,
           y: (event.clientY - box.top) * pad.height / box.height };
}

function stroke(from, to) {
  pen.strokeStyle = "white";
  pen.lineWidth = 20;
  pen.lineCap = "round";
  pen.lineJoin = "round";
  pen.beginPath();
  pen.moveTo(from.x, from.y);
  pen.lineTo(to.x, to.y);
  pen.stroke();
  hasInk = true;
}

pad.addEventListener("pointerdown", (event) => {
  drawing = true;
  try { pad.setPointerCapture(event.pointerId); } catch (error) { /* synthetic events */ }
  last = point(event);
  stroke(last, last);
  requestPrediction();
});
pad.addEventListener("pointermove", (event) => {
  if (!drawing) return;
  const here = point(event);
  stroke(last, here);
  last = here;
  requestPrediction();
});
for (const type of ["pointerup", "pointercancel"]) {
  pad.addEventListener(type, () => { drawing = false; requestPrediction(); });
}
document.getElementById("clear").addEventListener("click", clearPad);

function imageRows() {
  const small = document.createElement("canvas");
  small.width = small.height = SEND_SIZE;
  const context = small.getContext("2d");
  context.drawImage(pad, 0, 0, SEND_SIZE, SEND_SIZE);
  const pixels = context.getImageData(0, 0, SEND_SIZE, SEND_SIZE).data;
  const rows = [];
  for (let y = 0; y < SEND_SIZE; y++) {
    const row = [];
    for (let x = 0; x < SEND_SIZE; x++) {
      row.push(Math.round(pixels[(y * SEND_SIZE + x) * 4] / 2.55) / 100);
    }
    rows.push(row);
  }
  return rows;
}

// One request at a time; if the drawing changed meanwhile, send again when it returns, so
// the last state of the drawing is always the one shown.
async function requestPrediction() {
  if (!hasInk) return;
  if (inFlight) { dirty = true; return; }
  inFlight = true;
  dirty = false;
  document.body.dataset.state = "busy";
  try {
    const response = await fetch("/predict", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ image: imageRows() }),
    });
    const answer = await response.json();
    if (!response.ok) throw new Error(answer.error || response.statusText);
    if (hasInk) show(answer);
  } catch (error) {
    const message = String(error.message || error);
    // the first dot of a stroke is still a speck, not a digit: no need for an error there
    document.getElementById("status").textContent =
      /speck|no ink/.test(message) ? "keep drawing" : message;
  } finally {
    inFlight = false;
    if (dirty) requestPrediction();
    else document.body.dataset.state = "idle";
  }
}

function show(answer) {
  window.lastResult = answer;
  document.getElementById("prediction").textContent = String(answer.digit);
  const confidence = answer.probabilities[answer.digit];
  document.getElementById("status").textContent = `${(confidence * 100).toFixed(1)}% sure`;
  drawBars(answer.probabilities);
  drawInput(answer.input);
  drawActivations(answer.activations);
}

function drawBars(probabilities) {
  const bars = document.getElementById("bars");
  if (!bars.children.length) {
    for (let digit = 0; digit < 10; digit++) {
      const row = document.createElement("div");
      row.className = "bar";
      row.innerHTML = `<span class="digit">${digit}</span><span class="track">` +
        `<span class="fill"></span></span><span class="value"></span>`;
      bars.appendChild(row);
    }
  }
  const best = probabilities ? probabilities.indexOf(Math.max(...probabilities)) : -1;
  [...bars.children].forEach((row, digit) => {
    const p = probabilities ? probabilities[digit] : 0;
    row.querySelector(".fill").style.width = `${(p * 100).toFixed(1)}%`;
    row.querySelector(".value").textContent = probabilities ? `${(p * 100).toFixed(1)}%` : "";
    row.classList.toggle("best", digit === best);
  });
}

function paintGrid(canvas, values, columns, cell) {
  const rows = Math.ceil(values.length / columns);
  canvas.width = columns * cell;
  canvas.height = rows * cell;
  const context = canvas.getContext("2d");
  context.fillStyle = "black";
  context.fillRect(0, 0, canvas.width, canvas.height);
  const top = Math.max(...values, 1e-6);
  values.forEach((value, i) => {
    const level = Math.round(255 * Math.max(0, value) / top);
    context.fillStyle = `rgb(${level},${level},${level})`;
    context.fillRect((i % columns) * cell, Math.floor(i / columns) * cell, cell - 1, cell - 1);
  });
}

function drawInput(rows) {
  const canvas = document.getElementById("input");
  if (!rows) {
    const context = canvas.getContext("2d");
    context.fillStyle = "black";
    context.fillRect(0, 0, canvas.width, canvas.height);
    return;
  }
  paintGrid(canvas, rows.flat().map((v) => v + 1e-9), 28, 6);
}

function drawActivations(layers) {
  const box = document.getElementById("activations");
  box.replaceChildren();
  layers.forEach((values, i) => {
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
    paintGrid(canvas, values, 16, 12);
    box.append(label, canvas);
  });
}

// One small canvas per feature map, a pixel per value (CSS scales it up), grey from black (0)
// to white (the layer's largest value), MAPS_PER_ROW to a row.
function featureMaps(maps) {
  const grid = document.createElement("div");
  grid.className = "maps";
  grid.style.gridTemplateColumns = `repeat(${Math.min(maps.length, MAPS_PER_ROW)}, auto)`;
  let top = 1e-6;
  for (const map of maps) for (const row of map) for (const v of row) top = Math.max(top, v);
  maps.forEach((map, channel) => {
    const canvas = document.createElement("canvas");
    canvas.width = map[0].length;
    canvas.height = map.length;
    canvas.title = `map ${channel + 1}`;
    const context = canvas.getContext("2d");
    const image = context.createImageData(canvas.width, canvas.height);
    map.flat().forEach((value, i) => {
      const level = Math.round(255 * Math.max(0, value) / top);
      image.data.set([level, level, level, 255], i * 4);
    });
    context.putImageData(image, 0, 0);
    grid.appendChild(canvas);
  });
  return grid;
}

clearPad();
