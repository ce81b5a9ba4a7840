// The page's entry point (index.html loads it as an ES module): sets up each panel and wires
// them together. The pad reads the drawing (verdict.js shows the reading, teach.js teaches
// it); the number pad reads a written number (numberreading.js shows it, and the digit
// selected there is what teach.js teaches instead of the drawing); the Train panel (form.js,
// train.js) polls the run and hands the changed views to the strip, the layer statistics and
// the time slider (which shows the confusion matrix and the first layer). For tests,
// window.lastResult holds the last /predict answer shown (null when the pad is clear): no module
// reads it. A network of a named set's classes (not digits) has the names on every panel
// (classes.js), a line saying what it reads in #classes-note, and no number pad. DOM:
// #train-error (when the settings cannot be read), #classes-note, #number-panel. Endpoint: GET
// /api/options (once, at the start).

import { byId, getJSON } from "./api.js";
import { setClasses } from "./classes.js";
import { createForm } from "./form.js";
import { showHistograms } from "./histograms.js";
import { showLayers } from "./layers.js";
import { createNumberPad } from "./numberpad.js";
import { createNumberReading } from "./numberreading.js";
import { createPad } from "./pad.js";
import { setUpSaving } from "./save.js";
import { showStrip } from "./strip.js";
import { setUpTeaching } from "./teach.js";
import { createTimeTravel } from "./time.js";
import { createTrainPanel } from "./train.js";
import { clearAnswer, say, showAnswer } from "./verdict.js";

window.lastResult = null;
const pad = createPad({
  onAnswer: (answer) => { window.lastResult = answer; showAnswer(answer); },
  onClear: () => { window.lastResult = null; clearAnswer(); },
  say,
});
let train = null; // once the settings have arrived
const time = createTimeTravel({ pad, onError: (text) => train?.showRefusal(text) });
const reading = createNumberReading({ onSelect: () => teaching.showSource() });
const teaching = setUpTeaching({
  pad,
  number: reading,
  beforeTeach: () => time.toNow(),
  afterTeach: () => { numberPad.read(); train?.refresh(); },
});
const numberPad = createNumberPad({
  onReading: reading.show, onRefused: reading.refuse, onClear: reading.clear,
});

function showViews(view, snapshots) {
  showStrip(view.strip);
  showLayers(view.layers);
  showHistograms(view.histograms);
  time.showView(view);
  time.showSnapshots(snapshots);
  pad.predictSoon(); // the network changed: read the drawing and the number again
  numberPad.readSoon();
}

// The names of what the network reads, on the panels; only digits are read as whole numbers.
function showClasses(options) {
  setClasses(options.classes, options.digits);
  if (options.digits) return;
  teaching.labelButtons();
  clearAnswer(); // "draw a picture", the bars labelled
  byId("number-panel").hidden = true;
  const note = byId("classes-note");
  note.textContent = `This network reads ten classes: ${options.classes.join(", ")}. Draw ` +
    "one on the pad; the number pad, for digits only, is hidden.";
  note.hidden = false;
}

getJSON("/api/options").then((options) => {
  showClasses(options);
  pad.setMinDigit(options.drawing.min_digit);
  numberPad.setMinDigit(options.drawing.min_digit);
  train = createTrainPanel({ form: createForm(options), onViews: showViews });
  setUpSaving({ command: train.command, refusal: train.refusal });
}, (error) => {
  const box = byId("train-error");
  box.textContent = `the settings could not be read from the server: ${error.message || error}`;
  box.hidden = false;
});
