"""Loading a learner's exercise file and running their functions.

Each file is imported afresh from its path (nothing is cached between checks). When the learner's
code raises, the traceback shown keeps only the frames in their own files: the lines they wrote,
not digitnet's checking machinery or NumPy's insides.
"""

from __future__ import annotations

import importlib.util
import traceback
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any


class NotWritten(Exception):
    """A function of the exercise still raises NotImplementedError."""

    def __init__(self, function: str) -> None:
        super().__init__(function)
        self.function = function


class LearnerError(Exception):
    """The learner's code raised: `report` is their traceback, their frames only."""

    def __init__(self, report: str) -> None:
        super().__init__(report)
        self.report = report


def learner_traceback(error: BaseException, folder: Path) -> str:
    """The traceback of `error` with only the frames in files under `folder`."""
    folder = folder.resolve()
    frames = [
        frame
        for frame in traceback.extract_tb(error.__traceback__)
        if Path(frame.filename).resolve().is_relative_to(folder)
    ]
    lines = ["Traceback (your code only):\n", *traceback.format_list(frames)]
    lines += traceback.format_exception_only(type(error), error)
    if isinstance(error, SystemExit):
        lines.append("(your code called exit(): a check needs your functions to return)\n")
    return "".join(lines).rstrip()


def load(path: Path) -> ModuleType:
    """Import the learner's file at `path` as a fresh module; LearnerError if it fails."""
    spec = importlib.util.spec_from_file_location(f"digitnet_exercise_{path.stem}", path)
    assert spec is not None and spec.loader is not None  # a .py path always has both
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except (Exception, SystemExit) as error:  # a SyntaxError, a NameError, an exit()...
        raise LearnerError(learner_traceback(error, path.parent)) from None
    return module


def functions_of(
    module: ModuleType, names: tuple[str, ...], path: Path
) -> dict[str, Callable[..., Any]]:
    """The named functions of the learner's module, each wrapped to report their errors."""
    missing = [name for name in names if not callable(getattr(module, name, None))]
    if missing:
        raise LearnerError(f"{path.name} has no function {', '.join(missing)}: keep the names")
    return {name: _reporting(getattr(module, name), name, path.parent) for name in names}


def _reporting(function: Callable[..., Any], name: str, folder: Path) -> Callable[..., Any]:
    """`function`, raising NotWritten or LearnerError instead of the learner's exceptions."""

    def call(*args: Any, **kwargs: Any) -> Any:
        try:
            return function(*args, **kwargs)
        except NotImplementedError:
            raise NotWritten(name) from None
        except FloatingPointError:
            raise  # an overflow under np.errstate(raise): training's divergence guard reports it
        except (Exception, SystemExit) as error:  # exit() in their code is an error too
            raise LearnerError(learner_traceback(error, folder)) from None

    return call
