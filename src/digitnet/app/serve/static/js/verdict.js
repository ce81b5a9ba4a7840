// The verdict panel: what the network reads in the drawing. #prediction (the digit, or a named
// class's name, greyed when not sure), #status (how sure, as `digitnet predict` says it), the bars
// (bars.js), #input (the 28x28 picture the network saw), #saliency (the "why" map), and the hidden
// layers (hidden.js). No endpoint: it shows the answers of POST /predict that pad.js fetches.

import { byId, formatPercent as percent } from "./api.js";
import { showBars } from "./bars.js";
import { nameOf, thing } from "./classes.js";
import { showHidden } from "./hidden.js";
import { paintGrey, paintSigned } from "./pictures.js";

const SIDE = 28; // the network's input: 28x28, as MNIST
const BLANK = new Array(SIDE * SIDE).fill(0);

// "97.3% sure"; when the server says it is not sure (the top probability under the threshold
// `digitnet predict` uses), the two best guesses, as the command line prints them.
export function sureText(answer) {
  if (answer.sure) return `${percent(answer.confidence)} sure`;
  const p = answer.probabilities;
  const [first, second] = p.map((_, digit) => digit).sort((a, b) => p[b] - p[a]);
  return `not sure: ${nameOf(first)} (${percent(p[first])}) or ${nameOf(second)} ` +
    `(${percent(p[second])})`;
}

// A line in #status instead of a reading ("draw a digit" or "draw a picture", "keep drawing",
// a refusal).
export function say(text) {
  byId("status").textContent = text;
}

export function showAnswer(answer) {
  const prediction = byId("prediction");
  prediction.textContent = nameOf(answer.digit);
  prediction.classList.toggle("unsure", !answer.sure);
  const when = answer.epoch === null || answer.epoch === undefined
    ? "" : ` (the network of epoch ${answer.epoch})`;
  say(`${sureText(answer)}${when}`);
  showBars(answer.probabilities);
  paintGrey(byId("input"), answer.input.flat(), SIDE, { cell: byId("input").width / SIDE,
                                                         gap: true });
  showSaliency(answer.saliency, answer.input);
  showHidden(answer.activations);
}

export function clearAnswer() {
  const prediction = byId("prediction");
  prediction.textContent = "?";
  prediction.classList.remove("unsure");
  say(`draw ${thing()}`);
  showBars(null);
  paintGrey(byId("input"), BLANK, SIDE, { cell: byId("input").width / SIDE });
  showSaliency(null, null);
  showHidden(null);
}

// The "why" picture: the gradient of the predicted digit's score with respect to each of the
// 28x28 input pixels. Red: more ink there would raise the score; blue: lower it; white: no
// effect. Scaled by the largest |gradient|; the drawing itself shows faintly in grey beneath.
function showSaliency(rows, input) {
  const canvas = byId("saliency");
  const cell = canvas.width / SIDE;
  if (!rows) {
    paintSigned(canvas, BLANK, SIDE, { cell, top: 1 }); // all white
    return;
  }
  const ink = input ? input.flat() : BLANK;
  paintSigned(canvas, rows.flat(), SIDE, { cell, shade: (i) => 1 - 0.3 * ink[i] });
}
