// The training side of the page: the Train panel (settings, start / pause / resume / step /
// stop, the learning rate mid-run), and the live views of the network as it learns, kept up to
// date by polling the server: the loss and accuracy curves, a strip of test digits with what
// the network reads in them now, the confusion matrix, the first layer's weights, per-layer
// statistics; the time slider (the network as it was after each epoch) and saving the model.
// It reads GET /api/train, /api/view, /api/snapshots and /api/snapshot/<epoch> (JSON; see
// `digitnet serve` in the README).
// Uses postJSON from app.js, and window.drawingPad to read the drawing again.
"use strict";

const POLL_ACTIVE_MS = 500; // while a run is running or paused
const POLL_IDLE_MS = 2000; // otherwise
const REPREDICT_MS = 1000; // while the network changes, read the drawing again this often
const PRESETS = ["fast", "best-small", "best", "cnn", "cnn-best"];
// the form's values for a network without a preset (a preset brings its own: left empty)
const RECIPE_FIELDS = { optimizer: "adam", lr: "0.001", "batch-size": "128", epochs: "5",
                        augment: "none" };

const byId = (id) => document.getElementById(id);
const live = {
  train: null, // the last GET /api/train answer
  view: null, // the last GET /api/view answer
  version: null, // train.version when the views were last fetched
  snapshots: [], // GET /api/snapshots' list
  timeIndex: null, // the time slider's snapshot (an index into snapshots), or null for "now"
  slideToken: 0, // which slider move the last snapshot request belongs to
  refusal: null, // the last refused request's error text (shown in #train-error)
  busy: false, // a control's request is under way (the controls wait for its answer)
  timer: null, // the next poll
  polling: false,
  pollAgain: false,
  lastRepredict: 0,
  repredictTimer: null,
};

const formatInt = (n) => Math.round(n).toLocaleString("en-US");
const formatPercent = (share, digits = 1) =>
  share === null || share === undefined ? "\u2013" : `${(share * 100).toFixed(digits)}%`;

async function getJSON(path) {
  const response = await fetch(path, { cache: "no-store" });
  const answer = await response.json();
  if (!response.ok) throw new Error(answer.error || response.statusText);
  return answer;
}

// base64 text (as /api/view sends pictures) -> bytes
function decodeBytes(text) {
  const chars = atob(text);
  const bytes = new Uint8Array(chars.length);
  for (let i = 0; i < chars.length; i++) bytes[i] = chars.charCodeAt(i);
  return bytes;
}

// ---- The Train panel: settings -> POST /api/train, and the run's controls ----

// A preset fills in the recipe (optimizer, learning rate, ...) itself: its fields are left
// empty, so that they are not sent and the preset's values apply; a value typed in still wins.
function onNetworkChoice() {
  const choice = byId("net").value;
  const preset = PRESETS.includes(choice);
  for (const [id, value] of Object.entries(RECIPE_FIELDS)) {
    const field = byId(id);
    if (preset) field.value = "";
    else if (field.value === "") field.value = value;
    if (field.tagName === "INPUT") field.placeholder = preset ? "preset's" : "";
  }
  document.querySelectorAll("option[data-preset]").forEach((option) => {
    option.hidden = !preset;
  });
  byId("spec").classList.toggle("unused", choice !== "custom");
}

// The body of POST /api/train, from the form: only the settings that have a value.
function trainRequest() {
  const choice = byId("net").value;
  const body = {};
  if (choice === "continue") body.continue = true;
  else if (choice === "custom") body.layers = byId("spec").value.trim();
  else if (choice !== "mlp") body.preset = choice;
  const numbers = { lr: "lr", batch_size: "batch-size", epochs: "epochs", limit: "limit" };
  for (const [key, id] of Object.entries(numbers)) {
    const text = byId(id).value.trim();
    if (text !== "") body[key] = Number(text);
  }
  for (const key of ["optimizer", "augment"]) {
    if (byId(key).value) body[key] = byId(key).value;
  }
  return body;
}

// POST to the server; on refusal, show its {"error"} in #train-error and return null.
async function command(path, body = {}) {
  live.busy = true;
  if (live.train) showTrain(live.train); // the controls wait (stop, for one, ends a step first)
  try {
    const answer = await postJSON(path, body);
    live.refusal = null;
    return answer;
  } catch (error) {
    live.refusal = String(error.message || error);
    return null;
  } finally {
    live.busy = false;
    if (live.train) showTrain(live.train);
    showError();
  }
}

async function startRun() {
  const body = trainRequest();
  if (body.layers === "") {
    live.refusal = "write the layers first, for example: conv 8 5, relu, maxpool 2, dense 64, relu";
    showError();
    return;
  }
  const answer = await command("/api/train", body);
  if (answer) showTrain(answer);
  refresh();
}

async function control(action) {
  const answer = await command(`/api/train/${action}`);
  if (answer) showTrain(answer);
  refresh();
}

async function setLearningRate() {
  const text = byId("lr-live").value.trim();
  if (text === "") return;
  const answer = await command("/api/lr", { lr: Number(text) });
  if (answer) byId("lr-live").value = "";
  refresh();
}

byId("net").addEventListener("change", onNetworkChoice);
byId("spec").addEventListener("input", () => { byId("net").value = "custom"; onNetworkChoice(); });
byId("train-start").addEventListener("click", startRun);
for (const action of ["pause", "resume", "step", "stop"]) {
  byId(`train-${action}`).addEventListener("click", () => control(action));
}
byId("lr-set").addEventListener("click", setLearningRate);

// Which controls each state allows.
const ENABLED = {
  idle: ["train-start"],
  done: ["train-start"],
  failed: ["train-start"],
  running: ["train-pause", "train-stop", "lr-set", "lr-live"],
  paused: ["train-resume", "train-step", "train-stop", "lr-set", "lr-live"],
};
const CONTROLS = ["train-start", "train-pause", "train-resume", "train-step", "train-stop",
                  "lr-set", "lr-live"];

// "epoch 2 of 5, step 812, 5,300 images/s, lr 0.001, test 96.13%"
function progressText(train) {
  const parts = [];
  const underWay = train.state === "running" || train.state === "paused";
  if (underWay && train.epochs) {
    parts.push(`epoch ${Math.min(train.epoch + 1, train.epochs)} of ${train.epochs}`);
  } else if (train.epochs) {
    parts.push(`${train.epoch} of ${train.epochs} epochs`);
  }
  if (train.step) parts.push(`step ${formatInt(train.step)}`);
  else if (train.state === "running") parts.push("starting\u2026");
  if (underWay && train.images_per_second) {
    parts.push(`${formatInt(train.images_per_second)} images/s`);
  }
  if (underWay && train.lr !== null && train.lr !== undefined) {
    parts.push(`lr ${Number(train.lr.toPrecision(3))}`);
  }
  if (train.test_accuracy !== null && train.test_accuracy !== undefined) {
    parts.push(`test ${formatPercent(train.test_accuracy, 2)}`);
  }
  if (train.state === "idle") parts.unshift("no run yet");
  return parts.join(", ");
}

function showError() {
  const failed = live.train && live.train.state === "failed" ? live.train.error : null;
  const text = live.refusal || failed || "";
  const box = byId("train-error");
  box.textContent = text;
  box.hidden = !text;
}

function showTrain(train) {
  live.train = train;
  const state = byId("train-state");
  state.textContent = train.state;
  state.dataset.state = train.state;
  byId("train-progress").textContent = progressText(train);
  const enabled = ENABLED[train.state] || [];
  for (const id of CONTROLS) byId(id).disabled = live.busy || !enabled.includes(id);
  // the settings cannot change under a run: they apply to the next one
  const underWay = train.state === "running" || train.state === "paused";
  document.querySelectorAll("#train-panel .form :is(input, select)").forEach((field) => {
    field.disabled = underWay;
  });
  if (train.lr !== null && train.lr !== undefined) {
    byId("lr-live").placeholder = String(Number(train.lr.toPrecision(3)));
  }
  byId("network-name").textContent = train.network ? `network: ${train.network}` : "";
  showError();
  drawCurves(train);
}

// ---- Polling: GET /api/train, and when its version changed, the views ----

async function poll() {
  if (live.polling) { live.pollAgain = true; return; }
  live.polling = true;
  clearTimeout(live.timer);
  try {
    showTrain(await getJSON("/api/train"));
    if (live.train.version !== live.version) {
      const version = live.train.version;
      const [view, snapshots] = await Promise.all([getJSON("/api/view"),
                                                   getJSON("/api/snapshots")]);
      live.version = version;
      showView(view);
      showSnapshots(snapshots.snapshots);
      repredictSoon(); // the network changed: read the drawing again
    }
  } catch (error) {
    byId("train-progress").textContent = `no answer from the server (${error.message || error})`;
  } finally {
    live.polling = false;
    const state = live.train ? live.train.state : "idle";
    const active = state === "running" || state === "paused";
    live.timer = setTimeout(poll, live.pollAgain ? 0 : active ? POLL_ACTIVE_MS : POLL_IDLE_MS);
    live.pollAgain = false;
  }
}

function refresh() { poll(); }

// Read the drawing again with the changed network, at most once every REPREDICT_MS, and always
// after the last change.
function repredictSoon() {
  if (!window.drawingPad || !window.drawingPad.hasInk() || live.repredictTimer) return;
  const wait = Math.max(0, live.lastRepredict + REPREDICT_MS - Date.now());
  live.repredictTimer = setTimeout(() => {
    live.repredictTimer = null;
    live.lastRepredict = Date.now();
    window.drawingPad.predictAgain();
  }, wait);
}

function showView(view) {
  live.view = view;
  showStrip(view.strip);
  showStats(view.layers);
  if (live.timeIndex === null) showNow(); // otherwise the slider shows a past epoch
}

// The live confusion matrix and first layer (the time slider at "now").
function showNow() {
  const view = live.view;
  if (!view) return;
  const caption = `the network now, on ${view.confusion_source}`;
  showConfusion(view.confusion, caption, view.confusion_n);
  showFilters(view.filters, view.layers && view.layers.length ? view.layers[0].name : null);
}

// ---- Loss and accuracy curves (#curves) ----

const COLORS = { loss: "#2f6fdb", accuracy: "#1a9c5b", grid: "#e3e6ea", text: "#5b6470" };

// the next "round" number at or above x: 1, 2, 2.5, 5 times a power of ten
function niceCeil(x) {
  const power = 10 ** Math.floor(Math.log10(x));
  for (const step of [1, 2, 2.5, 5, 10]) if (step * power >= x) return step * power;
  return 10 * power;
}

function drawCurves(train) {
  const canvas = byId("curves");
  const width = canvas.clientWidth;
  const height = canvas.clientHeight;
  const ratio = window.devicePixelRatio || 1;
  canvas.width = Math.round(width * ratio);
  canvas.height = Math.round(height * ratio);
  const ctx = canvas.getContext("2d");
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  ctx.clearRect(0, 0, width, height);

  const finite = (v) => typeof v === "number" && Number.isFinite(v);
  const batches = (train.batches || []).filter((b) => finite(b.loss) && finite(b.epoch));
  const history = (train.history || []).filter((h) => finite(h.epoch));
  canvas.dataset.points = String(batches.length); // for tests: the training points drawn
  canvas.dataset.testPoints = String(history.length); // and the test points (epochs)

  // the plot area, and value -> pixel
  const box = { left: 46, right: width - 46, top: 40, bottom: height - 34 };
  const lastX = Math.max(0, ...batches.map((b) => b.epoch), ...history.map((h) => h.epoch));
  const xMax = Math.max(1, train.epochs || 0, lastX);
  const losses = [...batches.map((b) => b.loss), ...history.map((h) => h.test_loss)]
    .filter(finite);
  const lossMax = niceCeil(Math.max(0.1, ...losses));
  const px = (epoch) => box.left + (box.right - box.left) * epoch / xMax;
  const pyLoss = (loss) => box.bottom - (box.bottom - box.top) * Math.min(loss, lossMax) / lossMax;
  const pyAcc = (acc) => box.bottom - (box.bottom - box.top) * acc;

  // grid and scales: epochs below, loss on the left, accuracy on the right
  ctx.font = "11px system-ui, sans-serif";
  ctx.lineWidth = 1;
  const xStep = Math.max(1, Math.ceil(xMax / 10));
  ctx.textAlign = "center";
  ctx.textBaseline = "top";
  for (let e = 0; e <= xMax + 1e-9; e += xStep) {
    ctx.strokeStyle = COLORS.grid;
    ctx.beginPath(); ctx.moveTo(px(e), box.top); ctx.lineTo(px(e), box.bottom); ctx.stroke();
    ctx.fillStyle = COLORS.text;
    ctx.fillText(String(e), px(e), box.bottom + 4);
  }
  ctx.fillText("epoch", (box.left + box.right) / 2, box.bottom + 18);
  ctx.textBaseline = "middle";
  for (let i = 0; i <= 4; i++) {
    const y = box.bottom - (box.bottom - box.top) * i / 4;
    ctx.strokeStyle = COLORS.grid;
    ctx.beginPath(); ctx.moveTo(box.left, y); ctx.lineTo(box.right, y); ctx.stroke();
    ctx.textAlign = "right";
    ctx.fillStyle = COLORS.loss;
    ctx.fillText(String(Number((lossMax * i / 4).toPrecision(3))), box.left - 5, y);
    ctx.textAlign = "left";
    ctx.fillStyle = COLORS.accuracy;
    ctx.fillText(`${25 * i}%`, box.right + 5, y);
  }
  ctx.strokeStyle = COLORS.text;
  ctx.strokeRect(box.left, box.top, box.right - box.left, box.bottom - box.top);
  ctx.textBaseline = "bottom";
  ctx.textAlign = "left";
  ctx.fillStyle = COLORS.loss;
  ctx.fillText("loss", 6, box.top - 6);
  ctx.textAlign = "right";
  ctx.fillStyle = COLORS.accuracy;
  ctx.fillText("accuracy", width - 4, box.top - 6);

  // training: a line through the batches' points; test: a dot per epoch
  const line = (points, y, color) => {
    ctx.strokeStyle = color;
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    points.forEach((p, i) => (i ? ctx.lineTo : ctx.moveTo).call(ctx, px(p.epoch), y(p)));
    ctx.stroke();
  };
  const dots = (points, y, color) => {
    for (const p of points) {
      ctx.fillStyle = color;
      ctx.strokeStyle = "white";
      ctx.lineWidth = 1.5;
      ctx.beginPath();
      ctx.arc(px(p.epoch), y(p), 4.5, 0, 2 * Math.PI);
      ctx.fill();
      ctx.stroke();
    }
  };
  line(batches, (b) => pyLoss(b.loss), COLORS.loss);
  line(batches.filter((b) => finite(b.accuracy)), (b) => pyAcc(b.accuracy), COLORS.accuracy);
  dots(history.filter((h) => finite(h.test_loss)), (h) => pyLoss(h.test_loss), COLORS.loss);
  dots(history.filter((h) => finite(h.test_accuracy)), (h) => pyAcc(h.test_accuracy),
       COLORS.accuracy);

  // legend, above the plot
  const legend = [["training loss", COLORS.loss, "line"], ["test loss", COLORS.loss, "dot"],
                  ["training accuracy", COLORS.accuracy, "line"],
                  ["test accuracy", COLORS.accuracy, "dot"]];
  let x = box.left;
  ctx.textAlign = "left";
  ctx.textBaseline = "middle";
  for (const [name, color, kind] of legend) {
    const y = 10;
    ctx.fillStyle = ctx.strokeStyle = color;
    if (kind === "line") {
      ctx.lineWidth = 2;
      ctx.beginPath(); ctx.moveTo(x, y); ctx.lineTo(x + 16, y); ctx.stroke();
    } else {
      ctx.beginPath(); ctx.arc(x + 8, y, 4, 0, 2 * Math.PI); ctx.fill();
    }
    ctx.fillStyle = COLORS.text;
    ctx.fillText(name, x + 20, y);
    x += 28 + ctx.measureText(name).width;
  }
  if (!batches.length) {
    ctx.textAlign = "center";
    ctx.fillStyle = COLORS.text;
    ctx.font = "13px system-ui, sans-serif";
    ctx.fillText("no training yet: choose the settings and press Start",
                 (box.left + box.right) / 2, (box.top + box.bottom) / 2);
  }
}

window.addEventListener("resize", () => { if (live.train) drawCurves(live.train); });

// ---- The strip of test digits (#strip) ----

// 24 test images, ink bright, each with what the network reads in it now.
function showStrip(strip) {
  const box = byId("strip");
  const count = strip.labels.length;
  if (box.children.length !== count) { // built once, then updated in place
    box.replaceChildren();
    for (let i = 0; i < count; i++) {
      const cell = document.createElement("div");
      cell.className = "strip-digit";
      const canvas = document.createElement("canvas");
      canvas.width = canvas.height = 28;
      const read = document.createElement("span");
      read.className = "read";
      cell.append(canvas, read);
      box.appendChild(cell);
    }
  }
  const pixels = decodeBytes(strip.images);
  [...box.children].forEach((cell, i) => {
    const [label, prediction] = [strip.labels[i], strip.predictions[i]];
    const right = label === prediction;
    cell.dataset.label = label;
    cell.dataset.prediction = prediction;
    cell.classList.toggle("right", right);
    cell.classList.toggle("wrong", !right);
    cell.title = right ? `a ${label}, read right` : `a ${label}, read as ${prediction}`;
    cell.querySelector(".read").textContent = right ? `${prediction}` : `${prediction} (${label})`;
    const context = cell.querySelector("canvas").getContext("2d");
    const image = context.createImageData(28, 28);
    for (let p = 0; p < 784; p++) {
      const level = pixels[i * 784 + p];
      image.data.set([level, level, level, 255], p * 4);
    }
    context.putImageData(image, 0, 0);
  });
}

// ---- The confusion matrix (#confusion) ----

// rows: the true digit; columns: what the network read. Each cell shaded by its share of the
// row: the diagonal (right) in green, the rest (mistakes) in red.
function showConfusion(matrix, caption, n) {
  const table = byId("confusion");
  if (!table.rows.length) { // built once
    table.createCaption();
    const head = table.createTHead().insertRow();
    const corner = document.createElement("th");
    corner.textContent = "true\u2193 read\u2192";
    corner.className = "corner";
    head.appendChild(corner);
    for (let d = 0; d < 10; d++) {
      const th = document.createElement("th");
      th.textContent = d;
      head.appendChild(th);
    }
    const body = table.createTBody();
    for (let t = 0; t < 10; t++) {
      const row = body.insertRow();
      const th = document.createElement("th");
      th.textContent = t;
      row.appendChild(th);
      for (let d = 0; d < 10; d++) row.insertCell().className = d === t ? "diagonal" : "";
    }
  }
  let total = 0;
  let right = 0;
  matrix.forEach((counts, t) => {
    const rowTotal = counts.reduce((a, b) => a + b, 0) || 1;
    counts.forEach((count, d) => {
      total += count;
      if (d === t) right += count;
      const cell = table.tBodies[0].rows[t].cells[d + 1];
      const share = count / rowTotal;
      const strength = d === t ? share : Math.min(1, share * 4); // mistakes are rarer: darker
      cell.textContent = count;
      cell.dataset.count = count;
      cell.classList.toggle("zero", count === 0);
      cell.style.background = d === t ? `rgba(26, 156, 91, ${strength.toFixed(3)})`
                                      : `rgba(217, 60, 40, ${strength.toFixed(3)})`;
      cell.style.color = strength > 0.55 ? "white" : "";
    });
  });
  const counted = n || total;
  table.caption.textContent =
    `${caption}: ${formatInt(right)} of ${formatInt(counted)} right (${formatPercent(right / (counted || 1))})`;
}

// ---- The first layer's weights (#filters) ----

// Each unit's (dense) or filter's (conv) weights as a small picture, 128 = 0: red where ink
// raises the unit's input, blue where it lowers it, white for no effect.
function showFilters(filters, layerName) {
  const box = byId("filters");
  if (!filters || !filters.count) { box.replaceChildren(); return; }
  const { count, height, width } = filters;
  const bytes = decodeBytes(filters.data);
  const columns = Math.min(count, 8);
  box.style.gridTemplateColumns = `repeat(${columns}, auto)`;
  if (box.children.length !== count || box.dataset.size !== `${height}x${width}`) {
    box.replaceChildren();
    box.dataset.size = `${height}x${width}`;
    for (let i = 0; i < count; i++) {
      const canvas = document.createElement("canvas");
      canvas.width = width;
      canvas.height = height;
      canvas.title = `${height > 8 ? "unit" : "filter"} ${i + 1}`;
      box.appendChild(canvas);
    }
  }
  [...box.children].forEach((canvas, i) => {
    const context = canvas.getContext("2d");
    const image = context.createImageData(width, height);
    for (let p = 0; p < height * width; p++) {
      const t = (bytes[i * height * width + p] - 128) / 127; // -1 .. 1
      const fade = Math.round(255 * (1 - Math.min(1, Math.abs(t))));
      image.data.set(t >= 0 ? [255, fade, fade, 255] : [fade, fade, 255, 255], p * 4);
    }
    context.putImageData(image, 0, 0);
  });
  const layer = layerName ? `${layerName}: ` : "";
  const what = layerName && layerName.startsWith("conv")
    ? `${count} filters of ${height}\u00d7${width} (on the first input channel)`
    : `the first ${count} units, each its ${height * width} weights as a ${height}\u00d7${width} picture`;
  byId("filters-note").textContent =
    `${layer}${what}; red: ink there turns it on, blue: off (each on its own scale)`;
}

// ---- Per-layer statistics (#layer-stats) ----

function formatSize(value) {
  if (value === null || value === undefined) return "\u2013";
  if (value !== 0 && Math.abs(value) < 1e-3) return value.toExponential(1);
  return String(Number(value.toPrecision(3)));
}

function showStats(layers) {
  const table = byId("layer-stats");
  if (!table.tHead) {
    const head = table.createTHead().insertRow();
    for (const name of ["layer", "weights", "gradients", "dead"]) {
      const th = document.createElement("th");
      th.textContent = name;
      head.appendChild(th);
    }
    table.createTBody();
  }
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
    if (layer.dead !== null && layer.dead > 0.5) row.className = "warn"; // mostly dead
  }
}

// ---- Time travel (#time-slider): the network as it was after each epoch ----

// The slider's positions: one per snapshot (epoch 0 = before training), then "now".
function showSnapshots(list) {
  const slider = byId("time-slider");
  const epoch = live.timeIndex === null ? null : live.snapshots[live.timeIndex].epoch;
  live.snapshots = list;
  slider.max = String(list.length);
  byId("time-list").textContent = list.length
    ? "kept: " + list.map((s) => `epoch ${s.epoch} (${formatPercent(s.test_accuracy)})`).join(", ")
    : "";
  slider.disabled = list.length === 0;
  if (epoch === null) {
    slider.value = String(list.length);
    return;
  }
  const index = list.findIndex((snapshot) => snapshot.epoch === epoch);
  if (index < 0) { goToNow(); return; } // that snapshot is gone (a new run)
  live.timeIndex = index;
  slider.value = String(index);
}

function goToNow() {
  live.timeIndex = null;
  live.slideToken++;
  const slider = byId("time-slider");
  slider.value = slider.max;
  byId("time-label").textContent = "now";
  document.body.dataset.time = "now";
  showNow();
  window.drawingPad.setEpoch(null);
}

async function onSlide() {
  const index = Number(byId("time-slider").value);
  if (index >= live.snapshots.length) { goToNow(); return; }
  live.timeIndex = index;
  const snapshot = live.snapshots[index];
  byId("time-label").textContent =
    `epoch ${snapshot.epoch} (test ${formatPercent(snapshot.test_accuracy)})`;
  document.body.dataset.time = "loading";
  window.drawingPad.setEpoch(snapshot.epoch); // read the drawing with that epoch's network
  const token = ++live.slideToken;
  try {
    const answer = await getJSON(`/api/snapshot/${snapshot.epoch}`);
    if (token !== live.slideToken) return; // the slider has moved on
    const when = answer.epoch === 0 ? "before training (epoch 0)" : `after epoch ${answer.epoch}`;
    showConfusion(answer.confusion, `the network ${when}`, null);
    showFilters(answer.filters, live.view && live.view.layers.length ? live.view.layers[0].name
                                                                     : null);
    document.body.dataset.time = String(answer.epoch);
  } catch (error) {
    live.refusal = String(error.message || error);
    showError();
  }
}

byId("time-slider").addEventListener("input", onSlide);

// ---- Saving the network (#save-model) ----

async function saveModel() {
  const box = byId("save-result");
  box.textContent = "saving\u2026";
  const answer = await command("/api/save", { name: byId("save-name").value.trim() });
  if (!answer) {
    box.textContent = `not saved: ${live.refusal}`;
    box.className = "error";
    return;
  }
  box.className = "";
  const path = document.createElement("code");
  path.textContent = answer.path;
  const link = document.createElement("a");
  link.href = answer.download;
  link.download = answer.path.split(/[\\/]/).pop();
  link.textContent = "download it";
  box.replaceChildren("saved to ", path, " \u00b7 ", link);
}

byId("save-model").addEventListener("click", saveModel);

// What app.js may ask of the live side: fetch everything again now (after a teach), and put
// the time slider back at "now".
window.liveViews = { refresh, toNow: () => { if (live.timeIndex !== null) goToNow(); } };
onNetworkChoice();
poll();
