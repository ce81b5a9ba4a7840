// Teaching: "It is a: 0 ... 9" (or a named set's ten names, on the same buttons). A click on
// [data-teach="d"] sends the picture with the right class's number to POST /api/teach, then
// #teach-result shows what the network read before and after (a row of small bars each), the test
// accuracy before and after, and where the drawing is kept. The picture is the square pad's
// drawing ("image"), or, while a digit of the written number is selected (numberreading.js), that
// digit's 28x28 input ("field"); #teach-source says which. DOM: [data-teach="0".."9"],
// #teach-source (data-source "pad" or "number"), #teach-result (data-state teaching, done or
// failed). Endpoint: POST /api/teach.

import { byId, postJSON } from "./api.js";
import { aNameOf, nameOf, readsDigits, thing } from "./classes.js";

const percent = (p) => `${(p * 100).toFixed(0)}%`;
const top1 = (probabilities) => probabilities.indexOf(Math.max(...probabilities));

// A row of ten small bars (one per class) for a list of probabilities; `label` in green. The
// bars of a named set are numbered (their names are on the buttons above, in the same order).
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
    cell.title = `${nameOf(digit)}: ${(p * 100).toFixed(1)}%`;
    const fill = document.createElement("span");
    fill.style.height = `${Math.max(1, p * 100).toFixed(0)}%`;
    const digitName = document.createElement("b");
    digitName.textContent = digit;
    cell.append(fill, digitName);
    row.appendChild(cell);
  });
  return row;
}

function showResult(answer, label) {
  const [before, after] = [top1(answer.before), top1(answer.after)];
  const line = document.createElement("div");
  line.className = "teach-line";
  line.textContent = `taught ${nameOf(label)}: before: ${nameOf(before)} ` +
    `(${percent(answer.before[before])}), after: ${nameOf(after)} ` +
    `(${percent(answer.after[after])})`;
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
  byId("teach-result").replaceChildren(line, miniBars("before", answer.before, label),
                                       miniBars("after", answer.after, label), accuracy, kept);
}

// pad: pad.js's; number: numberreading.js's (its selected digit); beforeTeach(): teaching
// changes the current network, so show that one (not a past epoch's); afterTeach(): its test
// accuracy and views changed. Returns showSource(): say again which picture a click teaches;
// and labelButtons(): put the classes' names on the buttons (once they are known).
export function setUpTeaching({ pad, number, beforeTeach, afterTeach }) {
  const box = byId("teach-result");
  const source = byId("teach-source");
  const buttons = document.querySelectorAll("[data-teach]");

  function showSource() {
    const digit = number.selected();
    source.dataset.source = digit ? "number" : "pad";
    const orNumber = readsDigits() ? " (or select a digit of the number below)" : "";
    source.textContent = digit
      ? `teaches digit ${digit.index + 1} of the number (read as ${digit.digit}); click it ` +
        "again to teach this pad's drawing"
      : `teaches the drawing on this pad${orNumber}`;
  }

  async function teach(label) {
    const digit = number.selected();
    if (!digit && !pad.hasDigit()) {
      box.dataset.state = "failed";
      box.textContent = `draw ${thing()} first, then click what it is`;
      return;
    }
    // the number's digit as the network saw it, or the drawing (the server normalises it)
    const picture = digit ? { field: digit.input } : { image: pad.imageRows() };
    const what = digit ? `digit ${digit.index + 1} of the number` : "this";
    beforeTeach();
    buttons.forEach((button) => { button.disabled = true; });
    box.dataset.state = "teaching";
    box.textContent = `teaching it that ${what} is ${aNameOf(label)}\u2026`;
    try {
      const answer = await postJSON("/api/teach", { ...picture, label });
      showResult(answer, label);
      box.dataset.state = "done";
      pad.predict(); // read the drawing again with the taught network
      afterTeach();
    } catch (error) {
      box.dataset.state = "failed";
      box.textContent = `not taught: ${error.message || error}`;
    } finally {
      buttons.forEach((button) => { button.disabled = false; });
    }
  }

  buttons.forEach((button) => {
    button.addEventListener("click", () => teach(Number(button.dataset.teach)));
  });
  function labelButtons() {
    buttons.forEach((button) => { button.textContent = nameOf(Number(button.dataset.teach)); });
    showSource();
  }

  showSource();
  return { showSource, labelButtons };
}
