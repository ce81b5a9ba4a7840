// The loss and accuracy curves (#curves): the training batches as lines, the test set after
// each epoch as dots, loss on the left scale and accuracy on the right. Sets #curves'
// data-points and data-test-points (the points drawn). No endpoint: it draws the "batches" and
// "history" of GET /api/train that train.js fetches.

import { byId, finite, frame } from "./api.js";

const COLORS = { loss: "#2f6fdb", accuracy: "#1a9c5b", grid: "#e3e6ea", text: "#5b6470" };
const FONT = "11px system-ui, sans-serif";

// the next "round" number at or above x: 1, 2, 2.5, 5 times a power of ten
function niceCeil(x) {
  const power = 10 ** Math.floor(Math.log10(x));
  for (const step of [1, 2, 2.5, 5, 10]) if (step * power >= x) return step * power;
  return 10 * power;
}

// The plot area and value -> pixel maps: epochs across (at least the run's), loss up to a
// round number over the largest, accuracy 0 to 1.
function scales(width, height, epochs, batches, history) {
  const box = { left: 46, right: width - 46, top: 40, bottom: height - 34 };
  const lastX = Math.max(0, ...batches.map((b) => b.epoch), ...history.map((h) => h.epoch));
  const xMax = Math.max(1, epochs || 0, lastX);
  const losses = [...batches.map((b) => b.loss), ...history.map((h) => h.test_loss)]
    .filter(finite);
  const lossMax = niceCeil(Math.max(0.1, ...losses));
  const tall = box.bottom - box.top;
  return {
    box, width, xMax, lossMax,
    x: (epoch) => box.left + (box.right - box.left) * epoch / xMax,
    loss: (loss) => box.bottom - tall * Math.min(loss, lossMax) / lossMax,
    accuracy: (accuracy) => box.bottom - tall * accuracy,
  };
}

// The grid, its scales (epochs below, loss on the left, accuracy on the right) and their names.
function drawGrid(ctx, s) {
  const { box } = s;
  const line = (x0, y0, x1, y1) => {
    ctx.strokeStyle = COLORS.grid;
    ctx.beginPath(); ctx.moveTo(x0, y0); ctx.lineTo(x1, y1); ctx.stroke();
  };
  ctx.font = FONT;
  ctx.lineWidth = 1;
  ctx.textAlign = "center";
  ctx.textBaseline = "top";
  const xStep = Math.max(1, Math.ceil(s.xMax / 10));
  for (let e = 0; e <= s.xMax + 1e-9; e += xStep) {
    line(s.x(e), box.top, s.x(e), box.bottom);
    ctx.fillStyle = COLORS.text;
    ctx.fillText(String(e), s.x(e), box.bottom + 4);
  }
  ctx.fillText("epoch", (box.left + box.right) / 2, box.bottom + 18);
  ctx.textBaseline = "middle";
  for (let i = 0; i <= 4; i++) {
    const y = box.bottom - (box.bottom - box.top) * i / 4;
    line(box.left, y, box.right, y);
    ctx.textAlign = "right";
    ctx.fillStyle = COLORS.loss;
    ctx.fillText(String(Number((s.lossMax * i / 4).toPrecision(3))), box.left - 5, y);
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
  ctx.fillText("accuracy", s.width - 4, box.top - 6);
}

// Training: a line through the batches' points; test: a dot per epoch.
function drawSeries(ctx, s, batches, history) {
  const line = (points, y, color) => {
    ctx.strokeStyle = color;
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    points.forEach((p, i) => (i ? ctx.lineTo : ctx.moveTo).call(ctx, s.x(p.epoch), y(p)));
    ctx.stroke();
  };
  const dots = (points, y, color) => {
    for (const p of points) {
      ctx.fillStyle = color;
      ctx.strokeStyle = "white";
      ctx.lineWidth = 1.5;
      ctx.beginPath();
      ctx.arc(s.x(p.epoch), y(p), 4.5, 0, 2 * Math.PI);
      ctx.fill();
      ctx.stroke();
    }
  };
  line(batches, (b) => s.loss(b.loss), COLORS.loss);
  line(batches.filter((b) => finite(b.accuracy)), (b) => s.accuracy(b.accuracy), COLORS.accuracy);
  dots(history.filter((h) => finite(h.test_loss)), (h) => s.loss(h.test_loss), COLORS.loss);
  dots(history.filter((h) => finite(h.test_accuracy)), (h) => s.accuracy(h.test_accuracy),
       COLORS.accuracy);
}

// The legend, in a row above the plot.
function drawLegend(ctx, s) {
  const legend = [["training loss", COLORS.loss, "line"], ["test loss", COLORS.loss, "dot"],
                  ["training accuracy", COLORS.accuracy, "line"],
                  ["test accuracy", COLORS.accuracy, "dot"]];
  const y = 10;
  let x = s.box.left;
  ctx.textAlign = "left";
  ctx.textBaseline = "middle";
  for (const [name, color, kind] of legend) {
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
}

function drawNothingYet(ctx, s) {
  ctx.textAlign = "center";
  ctx.fillStyle = COLORS.text;
  ctx.font = "13px system-ui, sans-serif";
  ctx.fillText("no training yet: choose the settings and press Start",
               (s.box.left + s.box.right) / 2, (s.box.top + s.box.bottom) / 2);
}

// `train`: a GET /api/train answer.
export function drawCurves(train) {
  const canvas = byId("curves");
  const batches = (train.batches || []).filter((b) => finite(b.loss) && finite(b.epoch));
  const history = (train.history || []).filter((h) => finite(h.epoch));
  canvas.dataset.points = String(batches.length); // for tests: the training points drawn
  canvas.dataset.testPoints = String(history.length); // and the test points (epochs)
  const { ctx, width, height } = frame(canvas);
  const s = scales(width, height, train.epochs, batches, history);
  drawGrid(ctx, s);
  drawSeries(ctx, s, batches, history);
  drawLegend(ctx, s);
  if (!batches.length) drawNothingYet(ctx, s);
}
