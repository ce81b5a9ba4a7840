// Going back in time (#time-slider): the network is kept after each epoch; the slider has one
// position per snapshot (epoch 0: before training), then "now". Back in time, the confusion
// matrix and the first layer are that epoch's, and the pad reads the drawing with that network.
// #time-label and body[data-time] ("now", "loading", or the epoch shown) say where it is,
// #time-list which epochs are kept. At "now", the live view's matrix and first layer.
// DOM: #time-slider, #time-label, #time-list, body[data-time]. Endpoint: GET /api/snapshot/<epoch>.

import { byId, formatPercent, getJSON } from "./api.js";
import { showConfusion } from "./confusion.js";
import { showFilters } from "./filters.js";

// pad: pad.js's (it reads with the slider's epoch); onError(text): a snapshot could not be read.
export function createTimeTravel({ pad, onError }) {
  const slider = byId("time-slider");
  let view = null; // the live view (GET /api/view)
  let snapshots = []; // GET /api/snapshots' list
  let index = null; // the slider's snapshot (an index into snapshots), or null for "now"
  let token = 0; // which slider move the last snapshot request belongs to

  const firstLayer = () => (view && view.layers.length ? view.layers[0].name : null);

  function showNow() {
    if (!view) return;
    showConfusion(view.confusion, `the network now, on ${view.confusion_source}`,
                  view.confusion_n);
    showFilters(view.filters, firstLayer());
  }

  function goToNow() {
    index = null;
    token++;
    slider.value = slider.max;
    byId("time-label").textContent = "now";
    document.body.dataset.time = "now";
    showNow();
    pad.setEpoch(null);
  }

  async function onSlide() {
    const position = Number(slider.value);
    if (position >= snapshots.length) { goToNow(); return; }
    index = position;
    const snapshot = snapshots[position];
    byId("time-label").textContent =
      `epoch ${snapshot.epoch} (test ${formatPercent(snapshot.test_accuracy)})`;
    document.body.dataset.time = "loading";
    pad.setEpoch(snapshot.epoch); // read the drawing with that epoch's network
    const mine = ++token;
    try {
      const answer = await getJSON(`/api/snapshot/${snapshot.epoch}`);
      if (mine !== token) return; // the slider has moved on
      const when = answer.epoch === 0 ? "before training (epoch 0)" : `after epoch ${answer.epoch}`;
      showConfusion(answer.confusion, `the network ${when}`, null);
      showFilters(answer.filters, firstLayer());
      document.body.dataset.time = String(answer.epoch);
    } catch (error) {
      onError(String(error.message || error));
    }
  }

  // The slider's positions: one per snapshot, then "now"; it stays on its epoch if still kept.
  function showSnapshots(list) {
    const epoch = index === null ? null : snapshots[index].epoch;
    snapshots = list;
    slider.max = String(list.length);
    byId("time-list").textContent = list.length
      ? "kept: " + list.map((s) => `epoch ${s.epoch} (${formatPercent(s.test_accuracy)})`).join(", ")
      : "";
    slider.disabled = list.length === 0;
    if (epoch === null) {
      slider.value = String(list.length);
      return;
    }
    const found = list.findIndex((snapshot) => snapshot.epoch === epoch);
    if (found < 0) { goToNow(); return; } // that snapshot is gone (a new run)
    index = found;
    slider.value = String(found);
  }

  function showView(live) {
    view = live;
    if (index === null) showNow(); // otherwise the slider shows a past epoch
  }

  slider.addEventListener("input", onSlide);
  return { showView, showSnapshots, toNow: () => { if (index !== null) goToNow(); } };
}
