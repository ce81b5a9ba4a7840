// The names of the ten classes the network reads: the digits "0" to "9", unless the model or
// its data names them (a Fashion-MNIST model reads "T-shirt/top", "Trouser", ...). Every panel
// labels an output through nameOf(); the number pad is for digits only. DOM: body's
// data-classes ("digits" or "named": the style makes room for longer names). No endpoint: main.js
// hands it the "classes" and "digits" of GET /api/options.

let names = [..."0123456789"];
let digits = true;

export function setClasses(list, areDigits) {
  names = list.map(String);
  digits = areDigits;
  document.body.dataset.classes = digits ? "digits" : "named";
}

// The name of output k: "3", or "Dress".
export const nameOf = (k) => names[k] ?? String(k);

// Whether the network reads digits (and so whole numbers), not a named set's classes.
export const readsDigits = () => digits;

// What the pad asks for: "a digit", or for a named set "a picture".
export const thing = () => (digits ? "a digit" : "a picture");
