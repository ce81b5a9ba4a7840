// The drawing pad: draw on #pad with a mouse, a pen or a finger, wipe it with #clear. Each change
// sends the drawing to POST /predict (one request at a time; if the drawing changed meanwhile,
// once more when it returns, so that the last drawing is always the one read), with a past
// epoch's network while the time slider is back in time. A drawing too small to be a digit is
// not sent: the server would refuse it. Marks body[data-state] "busy" while a request is out,
// "idle" otherwise. DOM: #pad, #clear, body[data-state]. Endpoint: POST /predict.

import { byId, postJSON } from "./api.js";

const SEND_SIZE = 140; // the drawing is sent as 140x140 grayscale rows (ink bright)
const PEN = 20; // the pen's width in the pad's pixels
// The server calls ink spanning less than min_digit of the side a speck: the pad waits for a
// drawing comfortably over that, so that what it sends is not refused.
const MARGIN = 1.5;
const REPREDICT_MS = 1000; // while the network changes, read the drawing again this often

// onAnswer(answer): a reading of the drawing; onClear(): wiped; say(text): a line instead of a
// reading. Nothing is sent before setMinDigit (GET /api/options' drawing.min_digit).
export function createPad({ onAnswer, onClear, say }) {
  const pad = byId("pad");
  const pen = pad.getContext("2d");
  let box = null; // the ink's bounding box on the pad, {left, top, right, bottom}, or null
  let drawing = false;
  let last = null;
  let inFlight = false;
  let dirty = false;
  let epoch = null; // null: read with the current network; a number: that epoch's snapshot
  let lastRepredict = 0;
  let repredictTimer = null;
  let minDigit = null; // the smallest drawing that is a digit, as a share of the side

  const hasInk = () => box !== null;
  const hasDigit = () => hasInk() && minDigit !== null &&
    Math.max(box.right - box.left, box.bottom - box.top) >= MARGIN * minDigit * pad.width;

  function clear() {
    pen.fillStyle = "black";
    pen.fillRect(0, 0, pad.width, pad.height);
    box = null;
    onClear();
  }

  function point(event) {
    const rect = pad.getBoundingClientRect();
    return { x: (event.clientX - rect.left) * pad.width / rect.width,
             y: (event.clientY - rect.top) * pad.height / rect.height };
  }

  // Draw a line, and grow the ink's box by it (the part on the pad, with the pen's width).
  function stroke(from, to) {
    pen.strokeStyle = "white";
    pen.lineWidth = PEN;
    pen.lineCap = "round";
    pen.lineJoin = "round";
    pen.beginPath();
    pen.moveTo(from.x, from.y);
    pen.lineTo(to.x, to.y);
    pen.stroke();
    const clamp = (v, most) => Math.min(most, Math.max(0, v));
    const [left, right] = [Math.min(from.x, to.x) - PEN / 2, Math.max(from.x, to.x) + PEN / 2];
    const [top, bottom] = [Math.min(from.y, to.y) - PEN / 2, Math.max(from.y, to.y) + PEN / 2];
    const line = { left: clamp(left, pad.width), right: clamp(right, pad.width),
                   top: clamp(top, pad.height), bottom: clamp(bottom, pad.height) };
    if (line.right <= line.left || line.bottom <= line.top) return; // all off the pad
    box = box === null ? line : {
      left: Math.min(box.left, line.left), right: Math.max(box.right, line.right),
      top: Math.min(box.top, line.top), bottom: Math.max(box.bottom, line.bottom) };
  }

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

  async function predict() {
    if (!hasDigit()) {
      if (hasInk()) say("keep drawing"); // a dot or a short line: no digit yet
      return;
    }
    if (inFlight) { dirty = true; return; }
    inFlight = true;
    dirty = false;
    document.body.dataset.state = "busy";
    try {
      const body = { image: imageRows() };
      if (epoch !== null) body.epoch = epoch; // the time slider is in the past
      const answer = await postJSON("/predict", body);
      if (hasDigit()) onAnswer(answer);
    } catch (error) {
      const message = String(error.message || error);
      say(/speck|no ink/.test(message) ? "keep drawing" : message);
    } finally {
      inFlight = false;
      if (dirty) predict();
      else document.body.dataset.state = "idle";
    }
  }

  // Read the drawing again (the network changed), at most once every REPREDICT_MS, and always
  // after the last change.
  function predictSoon() {
    if (!hasDigit() || repredictTimer) return;
    const wait = Math.max(0, lastRepredict + REPREDICT_MS - Date.now());
    repredictTimer = setTimeout(() => {
      repredictTimer = null;
      lastRepredict = Date.now();
      predict();
    }, wait);
  }

  function setMinDigit(share) {
    minDigit = share;
    predict(); // what was drawn meanwhile
  }

  // Read with a past epoch's snapshot (a number), or with the current network (null).
  function setEpoch(value) {
    if (value === epoch) return;
    epoch = value;
    predict();
  }

  pad.addEventListener("pointerdown", (event) => {
    drawing = true;
    try { pad.setPointerCapture(event.pointerId); } catch (error) { /* synthetic events */ }
    last = point(event);
    stroke(last, last);
    predict();
  });
  pad.addEventListener("pointermove", (event) => {
    if (!drawing) return;
    const here = point(event);
    stroke(last, here);
    last = here;
    predict();
  });
  for (const type of ["pointerup", "pointercancel"]) {
    pad.addEventListener(type, () => { drawing = false; predict(); });
  }
  byId("clear").addEventListener("click", clear);
  document.body.dataset.state = "idle";
  clear();
  return { hasDigit, imageRows, predict, predictSoon, setEpoch, setMinDigit };
}
