"""`digitnet predict`: read the numbers in image files and the digits of Kaggle CSV files, and say
when unsure.

An image file (PNG, JPEG, a photo of paper...) is read as a number (digitnet.reading: one digit
or several, each with MNIST's normalisation); --digit reads one digit per picture, as a model of
other classes always does. A CSV's rows are already 28x28 MNIST-style pixels, one digit each.
With --out, the digits of a Kaggle test.csv are written in Kaggle's submission format:
`ImageId,Label`, ImageId counting from 1. A picture that cannot be read gets its one line on
stderr and the others are still read; the exit status then says that one failed.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ...errors import DigitnetError
from ...reading.answers import read_probabilities
from ..networks import check_28x28
from . import arguments
from .exit_codes import BAD_INPUT, OK

if TYPE_CHECKING:
    from ...nn.network import Network
    from ...reading.number import NumberReading


def answer(name: str, probs: np.ndarray, classes: tuple[str, ...] | None = None) -> dict:
    """One prediction as predict --json gives it: the file, the digit (the label), how sure,
    every probability; and the label's name as "class" when the model names its `classes`."""
    result = {"file": name, **read_probabilities(probs)}
    if classes is not None:
        result["class"] = classes[result["digit"]]
    return result


def _ranked(probs: list[float]) -> list[int]:
    """The classes from the most probable to the least."""
    return sorted(range(len(probs)), key=lambda d: -probs[d])


def describe_answer(result: dict, classes: tuple[str, ...] | None = None) -> str:
    """One line for a person: the digit (or the class, by its name in `classes`) and the top 3,
    or that it is unsure between two."""
    probs = result["probabilities"]
    ranked = _ranked(probs)
    label = (lambda d: classes[d]) if classes is not None else str
    if not result["sure"]:
        first, second = ranked[:2]
        return (
            f"{result['file']}: not sure: {label(first)} ({probs[first]:.1%}) or "
            f"{label(second)} ({probs[second]:.1%})"
        )
    top = ", ".join(f"{label(d)}: {probs[d]:.1%}" for d in ranked[:3])
    return f"{result['file']}: {label(result['digit'])}   ({top})"


def number_answer(name: str, reading: NumberReading) -> dict:
    """A number as predict --json gives it: the file, the number, whether every digit is sure,
    and each digit (as a single digit's answer, with its box: x, y, width, height)."""
    return {"file": name, **reading.to_dict()}


def describe_number(result: dict) -> str:
    """One line for a person: the number and how sure of each digit, the two best guesses for
    a digit it is not sure of."""
    parts = []
    for position, digit in enumerate(result["digits"], 1):
        probs = digit["probabilities"]
        if digit["sure"]:
            parts.append(f"{digit['digit']}: {digit['confidence']:.0%}")
        else:
            first, second = _ranked(probs)[:2]
            parts.append(
                f"{_ordinal(position)} digit not sure: {first} ({probs[first]:.0%}) or {second} "
                f"({probs[second]:.0%})"
            )
    return f"{result['file']}: {result['number']}   ({', '.join(parts)})"


def _ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 4th, ... 11th, 12th, 13th, ... 21st."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def add_parser(commands: argparse._SubParsersAction) -> None:
    """Declare `digitnet predict`."""
    predict = commands.add_parser(
        "predict", help="read digits from your own images, photos or a Kaggle test.csv"
    )
    arguments.add_model(predict)
    predict.add_argument(
        "images",
        metavar="IMAGE",
        nargs="+",
        help="PNG, JPEG, ... any size (a photo of paper too), or a Kaggle CSV of 784 pixel "
        "columns (like test.csv)",
    )
    predict.add_argument("--json", action="store_true", help="print JSON")
    predict.add_argument(
        "--digit",
        action="store_true",
        help="read one digit per picture (the whole picture's ink), not a number",
    )
    predict.add_argument(
        "--out",
        metavar="FILE.csv",
        help="write Kaggle's submission (ImageId,Label) for the CSV's rows",
    )
    predict.add_argument(
        "--show-input",
        metavar="DIR",
        nargs="?",
        const=".",
        help="save what the network saw as NAME.seen.png in DIR (default: the current "
        "folder): a digit's 28x28 image, or a number's digits boxed on the picture and their "
        "28x28 images",
    )
    arguments.add_threads(predict, "a CSV's predictions")
    predict.set_defaults(handler=run_predict)


def run_predict(args: argparse.Namespace) -> int:
    """Read the digit in each image (or each row of a CSV); print it, or write --out."""
    from ...model import load_model

    csv_files = [name for name in args.images if name.lower().endswith(".csv")]
    if args.out is not None and (len(args.images) != 1 or len(csv_files) != 1):
        raise DigitnetError(
            "--out writes a Kaggle submission: give exactly one CSV of images (like test.csv)"
        )
    if args.out is not None:  # fail now, not after reading 28,000 rows
        arguments.check_writable_file(Path(args.out), "--out")
    model = load_model(args.model)
    model.threads = args.threads
    check_28x28(model, args.model)
    numbers = not args.digit and model.reads_digits  # other classes: one answer each
    named = None if model.reads_digits else model.classes
    results, failed = [], 0
    for name in args.images:
        if name in csv_files:
            results.extend(_predict_csv(model, name, named))
            continue
        try:
            if numbers:
                results.append(_read_number(model, name, args.show_input, quiet=args.json))
            else:
                results.append(_predict_image(model, name, args.show_input, args.json, named))
        except DigitnetError as error:
            if len(args.images) == 1:
                raise
            print(f"digitnet: error: {error}", file=sys.stderr)
            failed += 1
    if args.out is not None:
        write_submission(args.out, [r["digit"] for r in results])
        unsure = sum(not r["sure"] for r in results)
        print(f"wrote {len(results)} predictions to {args.out} ({unsure} unsure)")
    elif args.json:
        print(json.dumps(results))
    else:
        for result in results:
            print(describe_answer(result, named) if "digit" in result else describe_number(result))
    if failed:
        print(
            f"digitnet: {failed} of {len(args.images)} pictures could not be read", file=sys.stderr
        )
    return BAD_INPUT if failed else OK


def write_submission(path: str | Path, digits: list[int]) -> None:
    """Write Kaggle's Digit Recognizer submission, `ImageId,Label`, atomically."""
    from ...atomic import atomic_open

    with atomic_open(path, "w") as file:
        file.write("ImageId,Label\n")
        file.writelines(f"{image_id},{digit}\n" for image_id, digit in enumerate(digits, 1))


def _predict_image(
    model: Network,
    name: str,
    show_input: str | None,
    quiet: bool,
    classes: tuple[str, ...] | None = None,
) -> dict:
    from ...data.preprocess import load_image, save_input_png, to_mnist

    field = to_mnist(load_image(name), name)
    if show_input is not None:
        _show(name, show_input, quiet, lambda seen: save_input_png(field, seen))
    return answer(name, model.predict_proba(field.reshape(1, -1))[0], classes)


def _show(name: str, folder: str, quiet: bool, save: Callable[[Path], None]) -> None:
    """Save what the network saw of picture `name` as NAME.seen.png in `folder`, and say so."""
    seen = Path(folder) / f"{Path(name).stem}.seen.png"
    seen.parent.mkdir(parents=True, exist_ok=True)
    save(seen)
    if not quiet:
        print(f"saved what the network saw in {seen}")


def _read_number(model: Network, name: str, show_input: str | None, quiet: bool) -> dict:
    """A picture read as a number; a one-digit number answers as a single digit always has
    (the digit's keys), with the number's keys beside them."""
    from ...reading.number import read_number
    from ...reading.picture import from_file
    from ...reading.show import save_number_picture

    picture = from_file(name)
    reading = read_number(model, picture, name)
    result = number_answer(name, reading)
    if len(reading.digits) == 1:  # the digit's keys too, as a single digit has always answered
        result = answer(name, np.asarray(reading.digits[0].probabilities)) | result
    if show_input is not None and len(reading.digits) == 1:
        from ...data.preprocess import save_input_png

        _show(name, show_input, quiet, lambda seen: save_input_png(reading.digits[0].field, seen))
    elif show_input is not None:
        _show(name, show_input, quiet, lambda seen: save_number_picture(picture, reading, seen))
    return result


def _predict_csv(model: Network, name: str, classes: tuple[str, ...] | None = None) -> list[dict]:
    from ...data.kaggle_csv import load_csv_images

    probs = model.predict_proba(load_csv_images(name))
    return [answer(f"{name} row {i}", p, classes) for i, p in enumerate(probs, 1)]
