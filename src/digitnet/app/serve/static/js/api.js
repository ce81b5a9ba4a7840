// What every panel uses: the server's JSON answers (GET and POST), elements by id, the
// page's number formats, and a canvas to draw on. No DOM ids of its own; it reads the endpoints its callers name.

export const byId = (id) => document.getElementById(id);

// GET a JSON endpoint; an Error with the server's {"error"} text if it refuses.
export async function getJSON(path) {
  const response = await fetch(path, { cache: "no-store" });
  const answer = await response.json();
  if (!response.ok) throw new Error(answer.error || response.statusText);
  return answer;
}

// POST a JSON body; the answer's JSON, or an Error with the server's {"error"} text.
export async function postJSON(path, body) {
  const response = await fetch(path, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  let answer;
  try {
    answer = await response.json();
  } catch (error) {
    throw new Error(`${response.status} ${response.statusText}`);
  }
  if (!response.ok) throw new Error(answer.error || response.statusText);
  return answer;
}

export const finite = (value) => typeof value === "number" && Number.isFinite(value);

export const formatInt = (n) => Math.round(n).toLocaleString("en-US");

export const formatPercent = (share, digits = 1) =>
  share === null || share === undefined ? "\u2013" : `${(share * 100).toFixed(digits)}%`;

// base64 text (as /api/view sends pictures) -> bytes
export function decodeBytes(text) {
  const chars = atob(text);
  const bytes = new Uint8Array(chars.length);
  for (let i = 0; i < chars.length; i++) bytes[i] = chars.charCodeAt(i);
  return bytes;
}

// A context drawing in CSS pixels on the whole canvas, cleared, sharp on high-density screens.
export function frame(canvas) {
  const [width, height] = [canvas.clientWidth, canvas.clientHeight];
  const ratio = window.devicePixelRatio || 1;
  canvas.width = Math.round(width * ratio);
  canvas.height = Math.round(height * ratio);
  const ctx = canvas.getContext("2d");
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  ctx.clearRect(0, 0, width, height);
  return { ctx, width, height };
}
