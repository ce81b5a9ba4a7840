"""`digitnet plot MODEL`: learning curves, confusion matrix, confident mistakes and weights."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..networks import check_28x28, test_set_for
from . import arguments


def add_parser(commands: argparse._SubParsersAction) -> None:
    """Declare `digitnet plot`."""
    plot = commands.add_parser("plot", help="learning curves, confusion matrix, mistakes, weights")
    arguments.add_model(plot)
    plot.add_argument("--history", metavar="FILE.csv", help="from train --history: the curves")
    arguments.add_data(plot, "IDX folder or labelled CSV to test on (bundled MNIST)")
    arguments.add_classes(plot)
    plot.add_argument("--out", metavar="DIR", default="plots", help="output folder (plots)")
    plot.set_defaults(handler=run_plot)


def run_plot(args: argparse.Namespace) -> int:
    """Write the pictures: curves and the run's histograms (with --history), confusion matrix,
    mistakes, weights."""
    from ...model import load_model
    from ..plots import read_history_csv, write_plots

    arguments.prepare_folder(Path(args.out))  # before reading the data and drawing
    model = load_model(args.model)
    check_28x28(model, args.model)
    history = read_history_csv(args.history) if args.history else None
    X, y = test_set_for(model, args.data, args.classes, args.model)
    for path in write_plots(model, X, y, args.out, history):
        print(f"wrote {path}")
    if args.history:  # the run's histograms, kept beside the CSV by train --history
        from ...training.histograms import LayerHistograms, record_path
        from ..plots.histograms import plot_histograms

        record = record_path(args.history)
        if record.is_file():
            for path in plot_histograms(LayerHistograms.load(record), Path(args.out)):
                print(f"wrote {path}")
        else:
            print(f"(no histograms: {record}, which train --history writes, is not there)")
    if history is None:
        print("(no learning curves: give --history FILE.csv from `digitnet train --history`)")
    return 0
