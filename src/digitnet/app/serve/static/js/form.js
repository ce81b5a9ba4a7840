// The Train panel's settings form, filled from GET /api/options (the presets, the defaults and
// the names each setting may take, all from training/settings.py: the page copies none), and
// read into the body of POST /api/train. A preset brings its own recipe: its fields are left
// empty (showing the preset's values as placeholders), so that they are not sent and the
// preset's values apply; a value typed in still wins.
// DOM: #net, #spec, #optimizer, #lr, #batch-size, #epochs, #augment, #limit. No endpoint of its
// own (main.js reads /api/options).

import { byId } from "./api.js";

// The form's recipe fields: element id -> setting.
const RECIPE = { optimizer: "optimizer", lr: "lr", "batch-size": "batch_size", epochs: "epochs",
                 augment: "augment" };
const NUMBERS = { lr: "lr", batch_size: "batch-size", epochs: "epochs", limit: "limit" };
// A few words after a name in the selects, where the name alone says little.
const NOTES = { gd: "plain SGD", affine: "shift, rotate, scale" };

function option(value, text) {
  const element = document.createElement("option");
  element.value = value;
  element.textContent = text;
  return element;
}

// "MLP 784-128-64-10 (new)", "preset cnn (conv, 5 epochs)"
function networkOptions({ presets, defaults }) {
  const sizes = [784, ...defaults.hidden, 10].join("-");
  const choices = [option("continue", "continue the current one"),
                   option("mlp", `MLP ${sizes} (new)`)];
  for (const [name, preset] of Object.entries(presets)) {
    const kind = (preset.layers || "").startsWith("conv") ? "conv" : "MLP";
    const epochs = preset.epochs ?? defaults.epochs;
    choices.push(option(name, `preset ${name} (${kind}, ${epochs} epochs)`));
  }
  choices.push(option("custom", "custom: layers below"));
  return choices;
}

// A select of the names a setting may take, after a "preset's" choice (shown for presets only).
function fillSelect(select, names) {
  const presets = option("", "preset's");
  presets.dataset.preset = "";
  const named = names.map((name) => option(name, NOTES[name] ? `${name} (${NOTES[name]})` : name));
  select.replaceChildren(presets, ...named);
}

// options: the answer of GET /api/options.
export function createForm(options) {
  const { presets, defaults, choices } = options;
  byId("net").replaceChildren(...networkOptions(options));
  fillSelect(byId("optimizer"), choices.optimizer);
  fillSelect(byId("augment"), choices.augment);
  for (const [id, key] of Object.entries(RECIPE)) byId(id).value = String(defaults[key]);
  byId("limit").max = byId("limit").value = String(options.training_images);

  function onNetworkChoice() {
    const choice = byId("net").value;
    const preset = presets[choice];
    for (const [id, key] of Object.entries(RECIPE)) {
      const field = byId(id);
      const value = String(preset ? preset[key] ?? defaults[key] : defaults[key]);
      if (preset) field.value = "";
      else if (field.value === "") field.value = value;
      if (field.tagName === "INPUT") field.placeholder = preset ? value : "";
      else field.querySelector("option[data-preset]").textContent = `preset's: ${value}`;
    }
    document.querySelectorAll("option[data-preset]").forEach((element) => {
      element.hidden = !preset;
    });
    byId("spec").classList.toggle("unused", choice !== "custom");
  }

  // The body of POST /api/train: only the settings that have a value.
  function request() {
    const choice = byId("net").value;
    const body = {};
    if (choice === "continue") body.continue = true;
    else if (choice === "custom") body.layers = byId("spec").value.trim();
    else if (choice !== "mlp") body.preset = choice;
    for (const [key, id] of Object.entries(NUMBERS)) {
      const text = byId(id).value.trim();
      if (text !== "") body[key] = Number(text);
    }
    for (const key of ["optimizer", "augment"]) {
      if (byId(key).value) body[key] = byId(key).value;
    }
    return body;
  }

  byId("net").addEventListener("change", onNetworkChoice);
  byId("spec").addEventListener("input", () => {
    byId("net").value = "custom";
    onNetworkChoice();
  });
  onNetworkChoice();
  return { request };
}
