// The confusion matrix (#confusion): rows the true digit, columns what the network read (headed by
// the classes' names, classes.js), each cell shaded by its share of the row (the diagonal, right,
// in green; mistakes in red), and a caption saying whose matrix it is and how many it read right.
// No endpoint: it shows the matrices of GET /api/view and /api/snapshot/<epoch> that time.js hands
// it.

import { byId, formatInt, formatPercent } from "./api.js";
import { nameOf } from "./classes.js";

function buildTable(table) {
  table.createCaption();
  const head = table.createTHead().insertRow();
  const corner = document.createElement("th");
  corner.textContent = "true\u2193 read\u2192";
  corner.className = "corner";
  head.appendChild(corner);
  for (let d = 0; d < 10; d++) head.appendChild(document.createElement("th"));
  const body = table.createTBody();
  for (let t = 0; t < 10; t++) {
    const row = body.insertRow();
    row.appendChild(document.createElement("th"));
    for (let d = 0; d < 10; d++) row.insertCell().className = d === t ? "diagonal" : "";
  }
}

// The class names on the head of each column and row (the names may come after the table).
function labelTable(table) {
  const columns = table.tHead.rows[0].cells;
  for (let d = 0; d < 10; d++) columns[d + 1].textContent = nameOf(d);
  [...table.tBodies[0].rows].forEach((row, t) => { row.cells[0].textContent = nameOf(t); });
}

// matrix: 10 rows of 10 counts; caption: whose it is; n: how many images it counts (or null).
export function showConfusion(matrix, caption, n) {
  const table = byId("confusion");
  if (!table.rows.length) buildTable(table); // once, then updated in place
  labelTable(table);
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
  table.caption.textContent = `${caption}: ${formatInt(right)} of ${formatInt(counted)} right ` +
    `(${formatPercent(right / (counted || 1))})`;
}
