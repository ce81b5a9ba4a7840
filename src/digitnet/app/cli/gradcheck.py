"""`digitnet gradcheck`: every analytical gradient against central finite differences."""

from __future__ import annotations

import argparse

from . import arguments
from .exit_codes import FAILED_CHECK, OK


def add_parser(commands: argparse._SubParsersAction) -> None:
    """Declare `digitnet gradcheck`."""
    gradcheck = commands.add_parser(
        "gradcheck", help="check every gradient against finite differences"
    )
    gradcheck.add_argument("--seed", type=arguments.seed, default=0, help="random seed (0)")
    gradcheck.add_argument(
        "--layers", help="check this network (as train --layers) instead, on small images"
    )
    gradcheck.add_argument(
        "--image-size",
        type=arguments.positive_int,
        default=12,
        help="with --layers: image side (12)",
    )
    gradcheck.set_defaults(handler=run_gradcheck)


def run_gradcheck(args: argparse.Namespace) -> int:
    """Compare all analytical gradients with finite differences: an MLP for each activation, a
    small CNN and every registered layer in a small network, or the network given with --layers
    (on small images)."""
    from ...nn.gradcheck import TOLERANCE, check_all_activations, check_cnn, check_every_layer

    if args.layers is None:
        results = check_all_activations(seed=args.seed)
        results["cnn"] = check_cnn(seed=args.seed)
        results |= {
            f"layer {name}": errors for name, errors in check_every_layer(args.seed).items()
        }
    else:
        results = {"--layers": check_cnn(args.layers, args.image_size, seed=args.seed)}
    worst = 0.0
    print(
        f"largest relative error per tensor (float64, central differences; must be "
        f"< {TOLERANCE:g})"
    )
    for network, errors in results.items():
        cells = "  ".join(f"{name} {error:.1e}" for name, error in errors.items())
        print(f"  {network:<20}  {cells}")
        worst = max(worst, *errors.values())
    ok = worst < TOLERANCE
    print(f"{'OK' if ok else 'FAILED'}: largest error {worst:.1e}")
    return OK if ok else FAILED_CHECK
