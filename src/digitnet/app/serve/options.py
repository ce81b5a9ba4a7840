"""What the page's Train panel offers (GET /api/options): the presets with their settings, the
defaults, the names each setting may take, all read from training/settings.py, so that the page
copies none of them; the names of the classes the network reads; and the smallest drawing that is
a digit rather than a speck."""

from __future__ import annotations

from ...data.preprocess import MIN_DIGIT
from ...nn.class_names import digit_names
from ...training.settings import CHOICES, DEFAULTS, PAGE_EPOCHS, PRESETS


def page_options(training_images: int, classes: tuple[str, ...]) -> dict:
    """The answer of GET /api/options for a session training on `training_images` images, its
    networks reading `classes` (the ten digits, or the names of a named set's classes)."""
    return {
        "presets": PRESETS,
        "defaults": {**DEFAULTS, "epochs": PAGE_EPOCHS},  # the page starts shorter runs
        "choices": {key: list(names) for key, names in CHOICES.items()},
        "training_images": training_images,  # the most "limit" may ask for
        "classes": list(classes),  # the page labels each output with its name
        "digits": classes == digit_names(10),  # only digits are read as whole numbers
        # a drawing whose ink spans less of the pad's side than this is refused as a speck
        "drawing": {"min_digit": MIN_DIGIT},
    }
