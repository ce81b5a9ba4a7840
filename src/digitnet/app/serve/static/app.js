// The drawing side of the page: draw on #pad, send the drawing to POST /predict, show the
// answer (the digit, a bar per probability, the 28x28 input, the hidden layers' activations and
// a "why" picture, the saliency), and teach the network the right digit (POST /api/teach).
// Hooks for tests: #pad, #clear, #prediction, #status, #bars (a .bar row per digit, its .fill
// as wide as the probability), #input, #activations (per hidden layer a .note label, then a
// canvas of its units or, for a conv layer, a .maps grid of one canvas per feature map),
// #saliency, the buttons [data-teach="0".."9"], #teach-result, and window.lastResult (the last
// answer). live.js (training) uses window.drawingPad, defined at the end.
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
let snapshotEpoch = null; // null: read with the current network; a number: that epoch's snapshot
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
  drawSaliency(null);
  document.getElementById("activations").replaceChildren();
}

// ---- Drawing with the mouse, a pen or a finger ----

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

// The drawing as rows of grey levels in [0, 1] (ink bright): what /predict and /api/teach take.
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

// POST a JSON body; the answer's JSON, or an Error with the server's {"error"} text.
async function postJSON(path, body) {
  const response = await fetch(path, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  let answer;
  try {
    answer = await response.json();
  } catch (error) {
    throw new Error(`${response.status} ${response.statusText}`);
  }
  if (!response.ok) throw new Error(answer.error || response.statusText);
  return answer;
}

// ---- Reading the drawing: POST /predict ----

// One request at a time; if the drawing changed meanwhile, send again when it returns, so
// the last state of the drawing is always the one shown.
async function requestPrediction() {
  if (!hasInk) return;
  if (inFlight) { dirty = true; return; }
  inFlight = true;
  dirty = false;
  document.body.dataset.state = "busy";
  try {
    const body = { image: imageRows() };
    if (snapshotEpoch !== null) body.epoch = snapshotEpoch; // the time slider is in the past
    const answer = await postJSON("/predict", body);
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
  const when = answer.epoch === null || answer.epoch === undefined
    ? "" : ` (the network of epoch ${answer.epoch})`;
  document.getElementById("status").textContent = `${(confidence * 100).toFixed(1)}% sure${when}`;
  drawBars(answer.probabilities);
  drawInput(answer.input);
  drawActivations(answer.activations);
  drawSaliency(answer.saliency || null);
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

// The "why" picture: the gradient of the predicted digit's score with respect to each of the
// 28x28 input pixels. Red: more ink there would raise the score; blue: lower it; white: no
// effect. Scaled by the largest |gradient|; the drawing itself shows faintly in grey beneath.
function drawSaliency(rows) {
  const canvas = document.getElementById("saliency");
  const context = canvas.getContext("2d");
  context.fillStyle = "white";
  context.fillRect(0, 0, canvas.width, canvas.height);
  if (!rows) return;
  const input = window.lastResult && window.lastResult.input;
  const values = rows.flat();
  const top = Math.max(...values.map(Math.abs), 1e-12);
  const cell = canvas.width / 28;
  values.forEach((value, i) => {
    const t = value / top; // -1 .. 1
    const fade = Math.round(255 * (1 - Math.abs(t)));
    let [r, g, b] = t >= 0 ? [255, fade, fade] : [fade, fade, 255];
    const ink = input ? input[Math.floor(i / 28)][i % 28] : 0;
    const shade = 1 - 0.3 * ink; // the drawing, faintly
    [r, g, b] = [r, g, b].map((c) => Math.round(c * shade));
    context.fillStyle = `rgb(${r},${g},${b})`;
    context.fillRect((i % 28) * cell, Math.floor(i / 28) * cell, cell, cell);
  });
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

// ---- Teaching: "It is a: 0 ... 9" -> POST /api/teach, then read the drawing again ----

const percent = (p) => `${(p * 100).toFixed(0)}%`;
const top1 = (probabilities) => probabilities.indexOf(Math.max(...probabilities));

// A row of ten small bars (one per digit) for a list of probabilities; `label` in green.
function miniBars(name, probabilities, label) {
  const row = document.createElement("div");
  row.className = "mini-row";
  const title = document.createElement("span");
  title.className = "mini-name";
  title.textContent = name;
  row.appendChild(title);
  probabilities.forEach((p, digit) => {
    const cell = document.createElement("span");
    cell.className = "mini" + (digit === label ? " taught" : "");
    cell.title = `${digit}: ${(p * 100).toFixed(1)}%`;
    const fill = document.createElement("span");
    fill.style.height = `${Math.max(1, p * 100).toFixed(0)}%`;
    const digitName = document.createElement("b");
    digitName.textContent = digit;
    cell.append(fill, digitName);
    row.appendChild(cell);
  });
  return row;
}

function showTeachResult(answer, label) {
  const box = document.getElementById("teach-result");
  const [before, after] = [top1(answer.before), top1(answer.after)];
  const line = document.createElement("div");
  line.className = "teach-line";
  line.textContent = `taught ${label}: before: ${before} (${percent(answer.before[before])}), ` +
    `after: ${after} (${percent(answer.after[after])})`;
  const accuracy = document.createElement("div");
  accuracy.className = "teach-accuracy";
  accuracy.textContent =
    `test accuracy ${(answer.test_accuracy_before * 100).toFixed(2)}% \u2192 ` +
    `${(answer.test_accuracy_after * 100).toFixed(2)}% ` +
    `(${answer.steps} steps, ${answer.seconds.toFixed(1)} s)`;
  const kept = document.createElement("div");
  kept.className = "note";
  kept.textContent = `${answer.taught} drawing${answer.taught === 1 ? "" : "s"} kept in ` +
    `${answer.taught_path} (for digitnet train --data)`;
  box.replaceChildren(line, miniBars("before", answer.before, label),
                      miniBars("after", answer.after, label), accuracy, kept);
}

async function teach(label) {
  const box = document.getElementById("teach-result");
  if (!hasInk) {
    box.dataset.state = "failed";
    box.textContent = "draw a digit first, then click what it is";
    return;
  }
  // teaching changes the current network: show that one, not a past epoch's
  if (window.liveViews) window.liveViews.toNow();
  const buttons = document.querySelectorAll("[data-teach]");
  buttons.forEach((button) => { button.disabled = true; });
  box.dataset.state = "teaching";
  box.textContent = `teaching it that this is a ${label}\u2026`;
  try {
    const answer = await postJSON("/api/teach", { image: imageRows(), label });
    showTeachResult(answer, label);
    box.dataset.state = "done";
    requestPrediction(); // read the drawing again with the taught network
    if (window.liveViews) window.liveViews.refresh(); // its test accuracy and views changed
  } catch (error) {
    box.dataset.state = "failed";
    box.textContent = `not taught: ${error.message || error}`;
  } finally {
    buttons.forEach((button) => { button.disabled = false; });
  }
}

document.querySelectorAll("[data-teach]").forEach((button) => {
  button.addEventListener("click", () => teach(Number(button.dataset.teach)));
});

// What live.js may ask of the drawing side.
window.drawingPad = {
  hasInk: () => hasInk,
  // read the drawing again (the network changed while training)
  predictAgain: () => requestPrediction(),
  // read with a past epoch's snapshot (a number), or with the current network (null)
  setEpoch(epoch) {
    if (epoch === snapshotEpoch) return;
    snapshotEpoch = epoch;
    requestPrediction();
  },
};

clearPad();
