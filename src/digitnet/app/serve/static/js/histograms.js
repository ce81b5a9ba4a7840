// A run's per-layer histograms and update ratios (#histograms-panel): for each activation layer
// (#activation-histograms) and each weight's gradients (#gradient-histograms) one canvas, the
// training steps across, the values' bins up, brighter where more of the values fall (fast.ai's
// "colorful dimension"); and each weight's update-to-weight ratio on a log scale with the 1e-3
// guide line (#update-ratios). Each canvas's data-samples is the number of columns drawn. No
// endpoint: it draws the "histograms" of GET /api/view that train.js fetches.

import { byId, frame } from "./api.js";

const COLORS = ["#2f6fdb", "#e07b00", "#1a9c5b", "#c0392b", "#8e44ad", "#16a085"];
const FONT = "11px system-ui, sans-serif";

// A share given as round(10 log10 share), -40 (1e-4) to 0, as a colour from dark to bright.
function colour(tenths) {
  const t = Math.max(0, Math.min(1, (tenths + 40) / 40));
  return `hsl(${250 - 190 * t}, 70%, ${12 + 50 * t}%)`;
}

// One canvas per layer in `box`, each drawn a column per sample and a row per bin.
function drawHeatmaps(box, layers, range) {
  if (box.children.length !== layers.length) {
    box.replaceChildren(...layers.map((layer) => {
      const figure = document.createElement("figure");
      const caption = document.createElement("figcaption");
      caption.textContent = `layer ${layer.name}`;
      figure.append(document.createElement("canvas"), caption);
      return figure;
    }));
  }
  layers.forEach((layer, i) => {
    const canvas = box.children[i].querySelector("canvas");
    const columns = layer.shares.length, rows = columns ? layer.shares[0].length : 0;
    canvas.width = Math.max(1, columns);
    canvas.height = Math.max(1, rows);
    const ctx = canvas.getContext("2d");
    layer.shares.forEach((column, x) => column.forEach((tenths, bin) => {
      ctx.fillStyle = colour(tenths);
      ctx.fillRect(x, rows - 1 - bin, 1, 1); // the lowest bin at the bottom
    }));
    canvas.dataset.samples = String(columns);
    canvas.title = `${range[0]} to ${range[1]} up, ${columns} samples across`;
  });
}

// The ratios, log10 from -7 to -1, one line per layer, and the dashed guide line at 1e-3.
function drawRatios(canvas, steps, layers, target) {
  const { ctx, width, height } = frame(canvas);
  const box = { left: 40, right: width - 8, top: 8, bottom: height - 20 };
  const last = Math.max(1, ...steps);
  const x = (step) => box.left + (box.right - box.left) * step / last;
  const y = (value) => {
    const log = Math.max(-7, Math.min(-1, Math.log10(Math.max(value, 1e-12))));
    return box.bottom - (box.bottom - box.top) * (log + 7) / 6;
  };
  ctx.font = FONT;
  ctx.fillStyle = "#5b6470";
  for (const power of [-7, -5, -3, -1]) ctx.fillText(`1e${power}`, 2, y(10 ** power) + 4);
  ctx.fillText("training step", box.right - 70, height - 4);
  ctx.strokeStyle = "#222";
  ctx.setLineDash([5, 4]);
  ctx.beginPath(); ctx.moveTo(box.left, y(target)); ctx.lineTo(box.right, y(target)); ctx.stroke();
  ctx.setLineDash([]);
  let labelX = box.left + 8; // the legend, one name after the other
  layers.forEach((layer, i) => {
    ctx.strokeStyle = COLORS[i % COLORS.length];
    ctx.beginPath();
    layer.values.forEach((value, j) => {
      const [px, py] = [x(steps[j]), y(value)];
      if (j) ctx.lineTo(px, py); else ctx.moveTo(px, py);
    });
    ctx.stroke();
    ctx.fillStyle = ctx.strokeStyle;
    const label = `layer ${layer.name}`;
    ctx.fillText(label, labelX, box.top + 10);
    labelX += ctx.measureText(label).width + 16;
  });
  canvas.dataset.samples = String(steps.length);
}

export function showHistograms(histograms) {
  const panel = byId("histograms-panel");
  panel.hidden = !histograms;
  if (!histograms) return;
  drawHeatmaps(byId("activation-histograms"), histograms.activations,
               histograms.activation_range);
  drawHeatmaps(byId("gradient-histograms"), histograms.gradients, histograms.gradient_range);
  drawRatios(byId("update-ratios"), histograms.ratio_steps, histograms.ratios,
             histograms.target_ratio);
}
