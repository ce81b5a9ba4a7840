"""`digitnet train --profile`: the table of where a step's time went (training/profile.py)."""

from __future__ import annotations

from ...training.profile import Profile


def print_profile(profile: Profile, batch_size: int, steps_per_epoch: int) -> None:
    """Each layer's forward and backward ms per batch and share of the step, the rest, and the
    step against its matrix products alone and its FLOP bound."""
    on = f"{profile.threads} threads, each on its share" if profile.threads > 1 else "1 thread"
    print(
        f"profile: medians of {profile.batches} steps of {batch_size} images ({on}); "
        "milliseconds per batch"
    )
    width = max(len(layer.name) for layer in profile.layers) + 2
    print(f"  {'layer':<{width}} {'forward':>8} {'backward':>9} {'share':>6}")
    layers_ms = 0.0
    for layer in profile.layers:
        ms = layer.forward + layer.backward
        layers_ms += ms
        print(
            f"  {layer.name:<{width}} {layer.forward:8.2f} {layer.backward:9.2f} "
            f"{profile.share(ms):6.1%}"
        )
    rest = max(profile.step_ms - layers_ms, 0.0)
    print(f"  {'rest: data, loss, update':<{width}} {rest:18.2f} {profile.share(rest):6.1%}")
    epoch = profile.step_ms * steps_per_epoch / 1e3
    print(
        f"  step {profile.step_ms:.2f} ms: {epoch:.1f} s for an epoch of {steps_per_epoch} steps"
    )
    print(
        f"  matrix products alone {profile.products_ms:.2f} ms "
        f"({profile.share(profile.products_ms):.0%} of the step); FLOP bound "
        f"{profile.flop_bound_ms:.2f} ms at {profile.peak_gflops:.0f} GFLOP/s "
        f"(this machine's large products on {profile.threads} thread"
        + ("s)" if profile.threads > 1 else ")")
    )
