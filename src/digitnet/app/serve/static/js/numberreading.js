// The number read on the wide pad: #number-reading (its digits in large type, an unsure one
// greyed), #number-status (how sure, each unsure digit as verdict.js says it, or why nothing was
// read), #number-boxes (a canvas over the pad: each digit's box, labelled with what it was read
// as; data-boxes: how many are drawn) and #number-digits (a column per digit, left to right,
// with data-index and data-digit: the 28x28 input it became and its ten bars, bars.js). A click
// on a column selects that digit for teaching (aria-pressed, its box drawn thicker); a second
// click, and nothing is selected. No endpoint: it shows the answers of POST /api/read-number
// that numberpad.js fetches.

import { byId, formatPercent as percent, frame } from "./api.js";
import { showBars } from "./bars.js";
import { SEND_HEIGHT, SEND_WIDTH } from "./numberpad.js";
import { paintGrey } from "./pictures.js";
import { sureText } from "./verdict.js";

const SIDE = 28; // each digit's input: 28x28, as MNIST
const CELL = 4; // its picture's pixels per input pixel (112x112)
const BOX_MARGIN = 4; // CSS pixels between a digit's ink and the box drawn around it
const colour = (name) => getComputedStyle(document.documentElement).getPropertyValue(name);

// onSelect(): the digit selected for teaching changed, or its reading did.
export function createNumberReading({ onSelect }) {
  let digits = []; // the digits of the reading shown ([] when none)
  let selected = null; // the index of the selected digit, or null

  function showNumber() {
    const reading = byId("number-reading");
    if (!digits.length) {
      reading.textContent = "?";
      return;
    }
    reading.replaceChildren(...digits.map((digit) => {
      const span = document.createElement("span");
      span.textContent = String(digit.digit);
      if (!digit.sure) span.className = "unsure";
      return span;
    }));
  }

  // "3 digits, each at least 91.2% sure", or each unsure digit's two best guesses.
  function statusText() {
    const unsure = digits.map((digit, index) => ({ digit, index }))
      .filter(({ digit }) => !digit.sure);
    if (unsure.length) {
      return unsure.map(({ digit, index }) => `digit ${index + 1} ${sureText(digit)}`).join("; ");
    }
    const least = Math.min(...digits.map((digit) => digit.confidence));
    return digits.length === 1 ? `1 digit, ${percent(least)} sure`
      : `${digits.length} digits, each at least ${percent(least)} sure`;
  }

  // Each digit's box on the overlay, from the sent picture's pixels to the pad's CSS pixels.
  function drawBoxes() {
    const canvas = byId("number-boxes");
    const { ctx, width, height } = frame(canvas);
    const [sx, sy] = [width / SEND_WIDTH, height / SEND_HEIGHT];
    ctx.font = "600 15px system-ui, sans-serif";
    ctx.textBaseline = "bottom";
    digits.forEach((digit, index) => {
      const [x, y, w, h] = digit.box;
      const [left, top] = [x * sx - BOX_MARGIN, y * sy - BOX_MARGIN];
      const chosen = index === selected;
      ctx.strokeStyle = ctx.fillStyle =
        colour(chosen ? "--accent" : digit.sure ? "--right" : "--muted");
      ctx.lineWidth = chosen ? 4 : 2;
      ctx.strokeRect(left, top, w * sx + 2 * BOX_MARGIN, h * sy + 2 * BOX_MARGIN);
      const labelTop = top >= 20 ? top - 2 : top + 20; // inside the box when at the pad's top
      ctx.fillText(String(digit.digit), left + 2, labelTop);
    });
    canvas.dataset.boxes = String(digits.length);
  }

  function column(digit, index) {
    const box = document.createElement("div");
    box.className = "number-digit";
    box.dataset.index = String(index);
    box.dataset.digit = String(digit.digit);
    box.tabIndex = 0;
    box.setAttribute("role", "button");
    box.setAttribute("aria-pressed", String(index === selected));
    box.title = "select this digit to teach it (It is a: ...)";
    const caption = document.createElement("div");
    caption.className = "number-caption";
    caption.textContent = `digit ${index + 1}: ${digit.digit}`;
    const picture = document.createElement("canvas");
    paintGrey(picture, digit.input.flat(), SIDE, { cell: CELL });
    const sure = document.createElement("div");
    sure.className = "number-sure";
    sure.textContent = sureText(digit);
    const bars = document.createElement("div");
    bars.className = "number-bars";
    showBars(digit.probabilities, bars);
    box.append(caption, picture, sure, bars);
    box.addEventListener("click", () => select(index));
    box.addEventListener("keydown", (event) => {
      if (event.key !== "Enter" && event.key !== " ") return;
      event.preventDefault();
      select(index);
    });
    return box;
  }

  function select(index) {
    selected = selected === index ? null : index;
    for (const box of byId("number-digits").children) {
      box.setAttribute("aria-pressed", String(Number(box.dataset.index) === selected));
    }
    drawBoxes();
    onSelect();
  }

  function showAll(status) {
    showNumber();
    byId("number-status").textContent = status;
    drawBoxes();
    byId("number-digits").replaceChildren(...digits.map(column));
    onSelect();
  }

  // A reading of the pad (POST /api/read-number's answer); the selection stays on its digit
  // while the number still has it.
  function show(answer) {
    digits = answer.digits;
    if (selected !== null && selected >= digits.length) selected = null;
    showAll(statusText());
  }

  // A line instead of a reading ("keep writing", or why the server refused it).
  function refuse(text) {
    digits = [];
    selected = null;
    showAll(text);
  }

  // The selected digit ({index, digit, input, ...}: its reading), or null.
  const selectedDigit = () =>
    (selected === null ? null : { index: selected, ...digits[selected] });

  return { show, refuse, clear: () => refuse("write a number"), selected: selectedDigit };
}
