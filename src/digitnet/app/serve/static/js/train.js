// The Train panel: start a run with the form's settings (form.js), pause / resume / step / stop
// it, change its learning rate mid-run; #train-state and #train-progress say where it is,
// #train-error why a request was refused or the run failed, #network-name which network it is.
// It polls GET /api/train (every POLL_ACTIVE_MS during a run, else POLL_IDLE_MS), redraws the
// curves (curves.js), and when the server's version has changed fetches the views.
// DOM: #train-start, #train-pause, #train-resume, #train-step, #train-stop, #lr-live, #lr-set,
// #train-state, #train-progress, #train-error, #network-name, the form's fields.
// Endpoints: GET /api/train, /api/view, /api/snapshots; POST /api/train, /api/train/<action>,
// /api/lr.

import { byId, finite, formatInt, formatPercent, getJSON, postJSON } from "./api.js";
import { drawCurves } from "./curves.js";

const POLL_ACTIVE_MS = 500; // while a run is running or paused
const POLL_IDLE_MS = 2000; // otherwise
// Which controls each state allows.
const ENABLED = {
  idle: ["train-start"],
  done: ["train-start"],
  failed: ["train-start"],
  running: ["train-pause", "train-stop", "lr-set", "lr-live"],
  paused: ["train-resume", "train-step", "train-stop", "lr-set", "lr-live"],
};
const CONTROLS = ["train-start", "train-pause", "train-resume", "train-step", "train-stop",
                  "lr-set", "lr-live"];

const underWay = (train) => train.state === "running" || train.state === "paused";

// The test accuracy to show. During a run the whole test set was last scored at the last
// epoch's end (or before training, for the first epoch), while the live view scores the network
// as it is now: its figure, labelled as the live one. Otherwise the current network's score.
function testFigure(train, view) {
  if (!underWay(train)) {
    return finite(train.test_accuracy) ? `test ${formatPercent(train.test_accuracy, 2)}` : null;
  }
  if (view && view.probe) {
    return `live test ${formatPercent(view.accuracy)} ` +
      `(first ${formatInt(view.confusion_n)} test images)`;
  }
  const last = train.history[train.history.length - 1];
  return last ? `test ${formatPercent(last.test_accuracy, 2)} (epoch ${last.epoch})` : null;
}

// "epoch 2 of 5, step 812, 5,300 images/s, lr 0.001, live test 96.1% (first 500 test images)"
function progressText(train, view) {
  const parts = [];
  if (underWay(train) && train.epochs) {
    parts.push(`epoch ${Math.min(train.epoch + 1, train.epochs)} of ${train.epochs}`);
  } else if (train.epochs) {
    parts.push(`${train.epoch} of ${train.epochs} epochs`);
  }
  if (train.step) parts.push(`step ${formatInt(train.step)}`);
  else if (train.state === "running") parts.push("starting\u2026");
  if (train.state === "running" && train.images_per_second) { // paused: no rate (none trained)
    parts.push(`${formatInt(train.images_per_second)} images/s`);
  }
  if (underWay(train) && finite(train.lr)) parts.push(`lr ${Number(train.lr.toPrecision(3))}`);
  const test = testFigure(train, view);
  if (test) parts.push(test);
  if (train.state === "idle") parts.unshift("no run yet");
  return parts.join(", ");
}

// form: form.js's; onViews(view, snapshots): the views changed (GET /api/view, /api/snapshots).
export function createTrainPanel({ form, onViews }) {
  const live = {
    train: null, // the last GET /api/train answer
    view: null, // the last GET /api/view answer
    version: null, // train.version when the views were last fetched
    refusal: null, // the last refused request's error text (shown in #train-error)
    busy: false, // a control's request is under way (the controls wait for its answer)
    timer: null, // the next poll
    polling: false,
    pollAgain: false,
  };

  function showError() {
    const failed = live.train && live.train.state === "failed" ? live.train.error : null;
    const text = live.refusal || failed || "";
    const box = byId("train-error");
    box.textContent = text;
    box.hidden = !text;
  }

  function showTrain(train) {
    live.train = train;
    const state = byId("train-state");
    state.textContent = train.state;
    state.dataset.state = train.state;
    byId("train-progress").textContent = progressText(train, live.view);
    const enabled = ENABLED[train.state] || [];
    for (const id of CONTROLS) byId(id).disabled = live.busy || !enabled.includes(id);
    // the settings cannot change under a run: they apply to the next one
    document.querySelectorAll("#train-panel .form :is(input, select)").forEach((field) => {
      field.disabled = underWay(train);
    });
    if (finite(train.lr)) byId("lr-live").placeholder = String(Number(train.lr.toPrecision(3)));
    byId("network-name").textContent = train.network ? `network: ${train.network}` : "";
    showError();
    drawCurves(train);
  }

  // POST to the server; on refusal, show its {"error"} in #train-error and return null.
  async function command(path, body = {}) {
    live.busy = true;
    if (live.train) showTrain(live.train); // the controls wait (stop, for one, ends a step first)
    try {
      const answer = await postJSON(path, body);
      live.refusal = null;
      return answer;
    } catch (error) {
      live.refusal = String(error.message || error);
      return null;
    } finally {
      live.busy = false;
      if (live.train) showTrain(live.train);
      showError();
    }
  }

  function showRefusal(text) {
    live.refusal = text;
    showError();
  }

  async function startRun() {
    const body = form.request();
    if (body.layers === "") {
      showRefusal("write the layers first, for example: conv 8 5, relu, maxpool 2, dense 64, relu");
      return;
    }
    const answer = await command("/api/train", body);
    if (answer) showTrain(answer);
    poll();
  }

  async function control(action) {
    const answer = await command(`/api/train/${action}`);
    if (answer) showTrain(answer);
    poll();
  }

  async function setLearningRate() {
    const text = byId("lr-live").value.trim();
    if (text === "") return;
    const answer = await command("/api/lr", { lr: Number(text) });
    if (answer) byId("lr-live").value = "";
    poll();
  }

  // GET /api/train, and when its version changed, the views.
  async function poll() {
    if (live.polling) { live.pollAgain = true; return; }
    live.polling = true;
    clearTimeout(live.timer);
    try {
      showTrain(await getJSON("/api/train"));
      if (live.train.version !== live.version) {
        const version = live.train.version;
        const [view, snapshots] = await Promise.all([getJSON("/api/view"),
                                                     getJSON("/api/snapshots")]);
        live.version = version;
        live.view = view;
        byId("train-progress").textContent = progressText(live.train, view);
        onViews(view, snapshots.snapshots);
      }
    } catch (error) {
      byId("train-progress").textContent = `no answer from the server (${error.message || error})`;
    } finally {
      live.polling = false;
      const active = live.train && underWay(live.train);
      live.timer = setTimeout(poll, live.pollAgain ? 0 : active ? POLL_ACTIVE_MS : POLL_IDLE_MS);
      live.pollAgain = false;
    }
  }

  byId("train-start").addEventListener("click", startRun);
  for (const action of ["pause", "resume", "step", "stop"]) {
    byId(`train-${action}`).addEventListener("click", () => control(action));
  }
  byId("lr-set").addEventListener("click", setLearningRate);
  window.addEventListener("resize", () => { if (live.train) drawCurves(live.train); });
  poll();
  return { command, refresh: poll, showRefusal, refusal: () => live.refusal };
}
