// The drawing pad: draw on #pad with a mouse, a pen or a finger, wipe it with #clear. Each change
// sends the drawing to POST /predict (one request at a time; if the drawing changed meanwhile,
// once more when it returns, so that the last drawing is always the one read), with a past
// epoch's network while the time slider is back in time. A drawing too small to be a digit is
// not sent: the server would refuse it. Marks body[data-state] "busy" while a request is out,
// "idle" otherwise. DOM: #pad, #clear, body[data-state]. Endpoint: POST /predict.

import { byId, postJSON } from "./api.js";
import { bigEnough, createInk } from "./ink.js";

const SEND_SIZE = 140; // the drawing is sent as 140x140 grayscale rows (ink bright)
const REPREDICT_MS = 1000; // while the network changes, read the drawing again this often

// onAnswer(answer): a reading of the drawing; onClear(): wiped; say(text): a line instead of a
// reading. Nothing is sent before setMinDigit (GET /api/options' drawing.min_digit).
export function createPad({ onAnswer, onClear, say }) {
  const pad = byId("pad");
  const ink = createInk(pad, () => predict());
  let inFlight = false;
  let dirty = false;
  let epoch = null; // null: read with the current network; a number: that epoch's snapshot
  let lastRepredict = 0;
  let repredictTimer = null;
  let minDigit = null; // the smallest drawing that is a digit, as a share of the side

  const hasInk = () => ink.box() !== null;
  const hasDigit = () => bigEnough(ink.box(), minDigit, pad.width);

  function clear() {
    ink.clear();
    onClear();
  }

  // The drawing as rows of grey levels in [0, 1] (ink bright): what /predict and /api/teach take.
  const imageRows = () => ink.imageRows(SEND_SIZE, SEND_SIZE);

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

  byId("clear").addEventListener("click", clear);
  document.body.dataset.state = "idle";
  clear();
  return { hasDigit, imageRows, predict, predictSoon, setEpoch, setMinDigit };
}
