"""Exercises that check a learner's own code: write each part of a network, have it compared
with digitnet's and with central differences of your own forward, and have known mistakes named.

    from digitnet import learn
    learn.start("digitnet-exercises")          # the skeleton files
    for result in learn.check_all(folder="digitnet-exercises"):
        print(result.exercise.name, result.status)

The command line: `digitnet learn`, `digitnet learn start`, `digitnet learn check NAME`.
"""

from . import parts
from .catalogue import EXERCISES, exercise
from .exercise import Exercise, Mistake, Result, check
from .folder import DEFAULT_FOLDER, check_all, check_file, reset, skeleton, start

__all__ = [
    "EXERCISES",
    "DEFAULT_FOLDER",
    "Exercise",
    "Mistake",
    "Result",
    "check",
    "check_all",
    "check_file",
    "exercise",
    "parts",
    "reset",
    "skeleton",
    "start",
]
