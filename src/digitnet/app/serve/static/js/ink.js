// The pen both drawing pads write with: white ink PEN wide, round, on a black canvas, drawn
// with a mouse, a pen or a finger; the ink's box, and the picture as rows of grey levels (what
// the server reads). No DOM ids or endpoints of its own: pad.js and numberpad.js hand it their
// canvases and send its pictures.

export const PEN = 20; // the pen's width in the pad's pixels
// The server calls ink spanning less than min_digit of the side a speck: a pad waits for a
// drawing comfortably over that, so that what it sends is not refused.
const MARGIN = 1.5;

// Whether the ink's box (or null) spans comfortably more than `minDigit` (GET /api/options'
// drawing.min_digit, or null while unknown) of `side` pixels.
export function bigEnough(box, minDigit, side) {
  return box !== null && minDigit !== null &&
    Math.max(box.right - box.left, box.bottom - box.top) >= MARGIN * minDigit * side;
}

// Write on `canvas`; onDraw(ended) after each piece of a stroke (ended: false) and at its end
// (ended: true).
export function createInk(canvas, onDraw) {
  const pen = canvas.getContext("2d");
  let box = null; // the ink's bounding box on the pad, {left, top, right, bottom}, or null
  let drawing = false;
  let last = null;

  function clear() {
    pen.fillStyle = "black";
    pen.fillRect(0, 0, canvas.width, canvas.height);
    box = null;
  }

  function point(event) {
    const rect = canvas.getBoundingClientRect();
    return { x: (event.clientX - rect.left) * canvas.width / rect.width,
             y: (event.clientY - rect.top) * canvas.height / rect.height };
  }

  // Draw a line, and grow the ink's box by it (the part on the pad, with the pen's width).
  function stroke(from, to) {
    pen.strokeStyle = "white";
    pen.lineWidth = PEN;
    pen.lineCap = "round";
    pen.lineJoin = "round";
    pen.beginPath();
    pen.moveTo(from.x, from.y);
    pen.lineTo(to.x, to.y);
    pen.stroke();
    const clamp = (v, most) => Math.min(most, Math.max(0, v));
    const [left, right] = [Math.min(from.x, to.x) - PEN / 2, Math.max(from.x, to.x) + PEN / 2];
    const [top, bottom] = [Math.min(from.y, to.y) - PEN / 2, Math.max(from.y, to.y) + PEN / 2];
    const line = { left: clamp(left, canvas.width), right: clamp(right, canvas.width),
                   top: clamp(top, canvas.height), bottom: clamp(bottom, canvas.height) };
    if (line.right <= line.left || line.bottom <= line.top) return; // all off the pad
    box = box === null ? line : {
      left: Math.min(box.left, line.left), right: Math.max(box.right, line.right),
      top: Math.min(box.top, line.top), bottom: Math.max(box.bottom, line.bottom) };
  }

  // The drawing scaled to width x height, as rows of grey levels in [0, 1] (ink bright), to
  // two decimals: finer than the network's input needs, and a short JSON body.
  function imageRows(width, height) {
    const small = document.createElement("canvas");
    small.width = width;
    small.height = height;
    const context = small.getContext("2d");
    context.drawImage(canvas, 0, 0, width, height);
    const pixels = context.getImageData(0, 0, width, height).data;
    const rows = [];
    for (let y = 0; y < height; y++) {
      const row = [];
      for (let x = 0; x < width; x++) {
        row.push(Math.round(pixels[(y * width + x) * 4] / 2.55) / 100);
      }
      rows.push(row);
    }
    return rows;
  }

  canvas.addEventListener("pointerdown", (event) => {
    drawing = true;
    try { canvas.setPointerCapture(event.pointerId); } catch (error) { /* synthetic events */ }
    last = point(event);
    stroke(last, last);
    onDraw(false);
  });
  canvas.addEventListener("pointermove", (event) => {
    if (!drawing) return;
    const here = point(event);
    stroke(last, here);
    last = here;
    onDraw(false);
  });
  for (const type of ["pointerup", "pointercancel"]) {
    canvas.addEventListener(type, () => { drawing = false; onDraw(true); });
  }
  clear();
  return { box: () => box, clear, imageRows };
}
