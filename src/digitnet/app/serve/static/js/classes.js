// The names of the ten classes the network reads: the digits "0" to "9", unless the model or
// its data names them (a Fashion-MNIST model reads "T-shirt/top", "Trouser", ...). Every panel
// labels an output through nameOf(); the number pad is for digits only. DOM: body's
// data-classes ("digits" or "named": the style makes room for longer names), and the elements
// with a data-named text, which replaces theirs for a named set. No endpoint: main.js
// hands it the "classes" and "digits" of GET /api/options.

let names = [..."0123456789"];
let digits = true;

export function setClasses(list, areDigits) {
  names = list.map(String);
  digits = areDigits;
  document.body.dataset.classes = digits ? "digits" : "named";
  if (!digits) renameTexts();
}

// The name of output k: "3", or "Dress".
export const nameOf = (k) => names[k] ?? String(k);

// Output k in a sentence: "a 3" ("an 8"), or a named set's name in quotes ("Ankle boot").
export function aNameOf(k) {
  if (!digits) return `"${nameOf(k)}"`;
  return `${nameOf(k) === "8" ? "an" : "a"} ${nameOf(k)}`;
}

// The texts of the page that speak of digits, for a named set: each element with a
// data-named attribute shows that attribute's text instead of its own.
function renameTexts() {
  document.querySelectorAll("[data-named]").forEach((element) => {
    element.textContent = element.dataset.named;
  });
}

// Whether the network reads digits (and so whole numbers), not a named set's classes.
export const readsDigits = () => digits;

// What the pad asks for: "a digit", or for a named set "a picture".
export const thing = () => (digits ? "a digit" : "a picture");
