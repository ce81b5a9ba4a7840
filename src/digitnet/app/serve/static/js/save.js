// Keeping the network (#save-model): POST /api/save with the name in #save-name; #save-result
// shows where the file went and a link to download it, or why it was not saved.
// DOM: #save-name, #save-model, #save-result. Endpoint: POST /api/save.

import { byId } from "./api.js";

// command(path, body): train.js's, which shows a refusal in #train-error and returns null;
// refusal(): the text of that refusal.
export function setUpSaving({ command, refusal }) {
  async function save() {
    const box = byId("save-result");
    box.textContent = "saving\u2026";
    const answer = await command("/api/save", { name: byId("save-name").value.trim() });
    if (!answer) {
      box.textContent = `not saved: ${refusal()}`;
      box.className = "error";
      return;
    }
    box.className = "";
    const path = document.createElement("code");
    path.textContent = answer.path;
    const link = document.createElement("a");
    link.href = answer.download;
    link.download = answer.path.split(/[\\/]/).pop();
    link.textContent = "download it";
    box.replaceChildren("saved to ", path, " \u00b7 ", link);
  }
  byId("save-model").addEventListener("click", save);
}
