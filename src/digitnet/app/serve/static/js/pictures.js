// Pictures on canvases: one painter of grey-level images (the drawing's 28x28 view, the hidden
// units, the feature maps, the test strip) and one red/white/blue colour map for signed values
// (the "why" map and the first layer's weights). No DOM ids or endpoints of its own: the
// callers hand it their canvases.

// The largest of `values`, and at least `floor` (so that all zeros do not divide by 0).
export function largest(values, floor = 1e-6) {
  let top = floor;
  for (const value of values) if (value > top) top = value;
  return top;
}

// Paint `values` (row-major, `columns` to a row) as square cells of `cell` pixels, a one-pixel
// black gap after each cell with `gap`; grey from black (0 or less) to white (`top`, by default
// the largest value).
export function paintGrey(canvas, values, columns, { cell = 1, gap = false, top } = {}) {
  const highest = top ?? largest(values);
  paint(canvas, values.length, columns, cell, gap, (i) => {
    const level = Math.round(255 * Math.max(0, values[i]) / highest);
    return [level, level, level];
  });
}

// A signed value scaled to -1..1 as a colour: red for +1, white for 0, blue for -1.
export function signedColour(t) {
  const fade = Math.round(255 * (1 - Math.min(1, Math.abs(t))));
  return t >= 0 ? [255, fade, fade] : [fade, fade, 255];
}

// Paint signed `values` with signedColour, each divided by `top` (by default the largest
// |value|); with `shade`, cell i's colour is multiplied by shade(i) (1: as is, 0: black).
export function paintSigned(canvas, values, columns, { cell = 1, top, shade } = {}) {
  const highest = top ?? largest(Array.from(values, Math.abs), 1e-12);
  paint(canvas, values.length, columns, cell, false, (i) => {
    const colour = signedColour(values[i] / highest);
    if (!shade) return colour;
    const dim = shade(i);
    return colour.map((c) => Math.round(c * dim));
  });
}

// Set the canvas to `columns` x rows cells of `cell` pixels, black, and fill cell i with
// colourAt(i) (leaving a one-pixel gap on its right and bottom with `gap`).
function paint(canvas, count, columns, cell, gap, colourAt) {
  const width = columns * cell;
  const height = Math.ceil(count / columns) * cell;
  if (canvas.width !== width) canvas.width = width;
  if (canvas.height !== height) canvas.height = height;
  const context = canvas.getContext("2d");
  const image = context.createImageData(width, height);
  const data = image.data;
  for (let p = 3; p < data.length; p += 4) data[p] = 255; // opaque black
  const side = gap && cell > 1 ? cell - 1 : cell;
  for (let i = 0; i < count; i++) {
    const [r, g, b] = colourAt(i);
    const left = (i % columns) * cell;
    const top = Math.floor(i / columns) * cell;
    for (let y = top; y < top + side; y++) {
      for (let x = left; x < left + side; x++) data.set([r, g, b], (y * width + x) * 4);
    }
  }
  context.putImageData(image, 0, 0);
}
