"""docs/backprop.md names the function that implements each equation: every name must exist,
and the page must cover everything the package computes."""

import importlib
import re
from pathlib import Path

import pytest

DOC = (Path(__file__).resolve().parents[1] / "docs" / "backprop.md").read_text()
NAME = re.compile(r"\b((?:nn|optim|data|training|app)\.[a-z_]+(?:\.[A-Za-z_]\w*)+)")


def resolve(dotted: str) -> object:
    """digitnet.<module>.<attribute...> for a name like nn.dense.Dense.backward."""
    parts = dotted.split(".")
    for split in range(len(parts), 0, -1):  # the longest importable module, then attributes
        try:
            found: object = importlib.import_module("digitnet." + ".".join(parts[:split]))
        except ModuleNotFoundError:
            continue
        for attribute in parts[split:]:
            found = getattr(found, attribute)
        return found
    raise ModuleNotFoundError(dotted)


NAMES = sorted(set(NAME.findall(DOC)))


def test_the_page_names_many_functions():
    assert len(NAMES) >= 30


@pytest.mark.parametrize("dotted", NAMES)
def test_every_named_function_exists(dotted):
    resolve(dotted)  # raises if a module or an attribute on the way is missing


def test_a_misspelt_name_would_fail():
    with pytest.raises(AttributeError):
        resolve("nn.dense.Dense.backwards")


@pytest.mark.parametrize(
    "topic",
    [
        "Softmax and cross-entropy",
        "Dense layer",
        "Activations",
        "Updating the weights",
        "Convolution",
        "Max-pooling",
        "Batch normalisation",
        "The input gradient",
        "Dropout: inverted scaling",
        "Weight decay: an L2 penalty, or decoupled",
        "Learning-rate schedules and warm-up",
        "Bilinear sampling",
    ],
)
def test_every_topic_has_a_section(topic):
    assert re.search(rf"^## \d+\. {re.escape(topic)}", DOC, flags=re.MULTILINE), topic
