// The probability bars: in #bars (the verdict panel's) or in the container given (a number's
// digit, numberreading.js) a .bar row per digit, its .fill as wide as the digit's probability, the
// most likely digit's in green; each row is labelled with its class's name (classes.js). No
// endpoint (the answers of POST /predict and POST /api/read-number, handed in by verdict.js and
// numberreading.js).

import { byId } from "./api.js";
import { nameOf } from "./classes.js";

function buildBars(bars) {
  for (let digit = 0; digit < 10; digit++) {
    const row = document.createElement("div");
    row.className = "bar";
    row.innerHTML = `<span class="digit">${digit}</span><span class="track">` +
      `<span class="fill"></span></span><span class="value"></span>`;
    bars.appendChild(row);
  }
}

// Ten probabilities, or null for empty bars, in `bars` (an element; #bars if left out).
export function showBars(probabilities, bars = byId("bars")) {
  if (!bars.children.length) buildBars(bars);
  const best = probabilities ? probabilities.indexOf(Math.max(...probabilities)) : -1;
  [...bars.children].forEach((row, digit) => {
    const p = probabilities ? probabilities[digit] : 0;
    row.querySelector(".fill").style.width = `${(p * 100).toFixed(1)}%`;
    row.querySelector(".value").textContent = probabilities ? `${(p * 100).toFixed(1)}%` : "";
    row.classList.toggle("best", digit === best);
    row.querySelector(".digit").textContent = nameOf(digit); // the names may come later
  });
}
