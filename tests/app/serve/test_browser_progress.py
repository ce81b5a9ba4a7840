"""What the Train panel's progress line says during a run, in headless Chromium: no stale figures.

While the first epoch runs, the whole test set was last scored before training (epoch 0, about
10% for an untrained network), while the live view already scores the network as it is now: the
line must show the live figure, labelled as such, never the untrained one as if it were current.
While paused no images are trained: the line must not show the rate from before the pause.

`digitnet serve` starts without a model (an untrained network), as in test_browser_live.py; the
tests share one page and run in file order. Skipped without Chromium or Playwright, unless
DIGITNET_REQUIRE_BROWSER is set.
"""

import json
import re
import time
import urllib.error
import urllib.request

import numpy as np
import pytest
from test_browser import idle_train_page, serving
from test_browser_live import api, wait_state

pytestmark = pytest.mark.slow  # headless Chromium

# Batches of one image: a first epoch of 60,000 steps, which lasts far longer than the test.
RUN = {"limit": 60000, "batch-size": 1, "epochs": 2}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("progress")
    with serving("--save-dir", str(folder), cwd=folder) as url:
        yield {"url": url}
        post(url, "/api/train/stop")  # end a run still under way


@pytest.fixture(scope="module")
def page(server):
    with idle_train_page(server["url"]) as page:
        yield page


def post(url, path):
    """POST to the server as a script does (no Origin): (status, JSON answer)."""
    request = urllib.request.Request(url.rstrip("/") + path, data=b"{}", method="POST")
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, json.load(answer)
    except urllib.error.HTTPError as refused:
        return refused.code, json.load(refused)


def progress(page):
    return page.text_content("#train-progress")


def settle(page, server):
    """Wait until the page shows the server's current step (and so its latest view)."""
    step = api(server, "/api/train")["step"]
    page.wait_for_function(
        "(s) => document.getElementById('train-progress').textContent"
        ".includes(`step ${s.toLocaleString('en-US')}`)",
        arg=step,
    )
    page.wait_for_timeout(1200)  # two more polls: the view of that step has arrived too


def test_paused_in_the_first_epoch(page, server):
    """Start a run from the page and pause it at once: it is paused in its first epoch."""
    untrained = api(server, "/api/train")["test_accuracy"]
    page.wait_for_function("document.getElementById('train-progress').textContent !== ''")
    assert f"test {untrained:.2%}" in progress(page)  # idle: the current network's score
    page.select_option("#net", "mlp")
    for field, value in RUN.items():
        page.fill(f"#{field}", str(value))
    page.click("#train-start")
    deadline = time.monotonic() + 10
    while (status := post(server["url"], "/api/train/pause"))[0] == 409:  # not started yet
        assert time.monotonic() < deadline, status
        time.sleep(0.01)
    assert status[0] == 200 and status[1]["epoch"] == 0 and status[1]["history"] == []
    wait_state(page, "paused")
    settle(page, server)


def test_the_first_epoch_shows_the_live_figure_not_the_untrained_one(page, server):
    snapshots = api(server, "/api/snapshots")["snapshots"]
    assert [s["epoch"] for s in snapshots] == [0]  # the first epoch has not ended
    untrained = snapshots[0]["test_accuracy"]
    view = api(server, "/api/view")
    confusion = np.array(view["confusion"])
    live = np.trace(confusion) / confusion.sum()  # the live probe: the network now
    text = progress(page)
    assert f"{untrained:.2%}" not in text and f"{untrained:.1%}" not in text, text
    match = re.search(r"live test (\d+\.\d)% \(first ([\d,]+) test images\)", text)
    assert match, text
    assert float(match.group(1)) == pytest.approx(live * 100, abs=0.051)
    assert int(match.group(2).replace(",", "")) == confusion.sum() == 500


def test_no_images_per_second_while_paused(page, server):
    assert "images/s" not in progress(page), progress(page)
    page.click("#train-step")  # a step taken from the pause: paused again, still no rate
    wait_state(page, "paused")
    settle(page, server)
    assert "images/s" not in progress(page), progress(page)


def test_the_rate_comes_back_once_resumed(page, server):
    page.click("#train-resume")
    wait_state(page, "running")
    page.wait_for_function(
        "document.getElementById('train-progress').textContent.includes('images/s')"
    )
    assert re.search(r"[\d,]+ images/s", progress(page)), progress(page)
    page.click("#train-stop")
    wait_state(page, "done")
    time.sleep(0.5)  # the stopped network is scored on the whole test set just after
    final = api(server, "/api/train")["test_accuracy"]
    page.wait_for_function(
        "(text) => document.getElementById('train-progress').textContent.includes(text)",
        arg=f"test {final:.2%}",
    )
