// The number pad: write a whole number, digits side by side, on the wide #number-pad (the square
// pad's pen, ink.js); wipe it with #number-clear. The writing is sent to POST /api/read-number
// at the end of each stroke and, while a stroke goes on, at most every READ_EVERY_MS (one
// request at a time; if the writing changed meanwhile, once more when it returns, so that the
// last writing is always the one read). It is read with the current network, also while the
// time slider is back in time. Writing too small to be a digit is not sent. #number-panel's
// data-state: "empty", "writing" (too small yet), "reading" (a request is out), "read" or
// "refused" (the server's reason is shown). DOM: #number-pad, #number-clear,
// #number-panel[data-state]. Endpoint: POST /api/read-number.

import { byId, postJSON } from "./api.js";
import { bigEnough, createInk } from "./ink.js";

// Sent at half the pad's size, as the square pad's drawing is: 840x280 -> 420x140.
export const SEND_WIDTH = 420;
export const SEND_HEIGHT = 140;
const READ_EVERY_MS = 300; // while a stroke goes on
const REREAD_MS = 1000; // while the network changes, read the writing again this often

// onReading(answer): a reading ({number, sure, digits}, its boxes in the sent picture's
// pixels, SEND_WIDTH x SEND_HEIGHT); onRefused(text): a line instead of a reading; onClear():
// wiped. Nothing is sent before setMinDigit (GET /api/options' drawing.min_digit).
export function createNumberPad({ onReading, onRefused, onClear }) {
  const pad = byId("number-pad");
  const panel = byId("number-panel");
  let inFlight = false;
  let dirty = false;
  let lastSent = 0;
  let rereadTimer = null;
  let minDigit = null; // the smallest drawing that is a digit, as a share of the pad's height
  const ink = createInk(pad, (ended) => {
    if (ended || Date.now() - lastSent >= READ_EVERY_MS) read(); // the end: read in any case
  });

  // The pad is as tall as the square pad: a digit must span as much of its height to count.
  const hasDigit = () => bigEnough(ink.box(), minDigit, pad.height);

  function clear() {
    ink.clear();
    panel.dataset.state = "empty";
    onClear();
  }

  async function read() {
    if (!hasDigit()) {
      if (ink.box() !== null) {
        panel.dataset.state = "writing";
        onRefused("keep writing"); // a dot or a short line: no digit yet
      }
      return;
    }
    if (inFlight) { dirty = true; return; }
    inFlight = true;
    dirty = false;
    lastSent = Date.now();
    panel.dataset.state = "reading";
    let outcome = "read";
    try {
      const answer = await postJSON("/api/read-number",
                                    { image: ink.imageRows(SEND_WIDTH, SEND_HEIGHT) });
      if (hasDigit()) onReading(answer);
    } catch (error) {
      const message = String(error.message || error);
      const speck = /speck|no ink/.test(message);
      outcome = speck ? "writing" : "refused";
      if (hasDigit()) onRefused(speck ? "keep writing" : message);
    } finally {
      inFlight = false;
      panel.dataset.state = ink.box() === null ? "empty" : outcome;
      if (dirty) read();
    }
  }

  // Read the writing again (the network changed), at most once every REREAD_MS, and always
  // after the last change.
  function readSoon() {
    if (!hasDigit() || rereadTimer) return;
    rereadTimer = setTimeout(() => {
      rereadTimer = null;
      read();
    }, Math.max(0, lastSent + REREAD_MS - Date.now()));
  }

  function setMinDigit(share) {
    minDigit = share;
    read(); // what was written meanwhile
  }

  byId("number-clear").addEventListener("click", clear);
  clear();
  return { read, readSoon, setMinDigit };
}
