"""The CNN section of compare.py: a LeNet-like network trained by digitnet and by PyTorch from
the same initial weights, interleaved epoch by epoch, and what its matrix products alone cost.

    python benchmarks/compare.py --cnn-only      # this race alone
    python benchmarks/compare.py --cnn           # after the MLP tables

Published from-scratch NumPy CNNs, for scale only (other networks, recipes and machines):
- https://github.com/mattwang44/LeNet-from-Scratch (README, commit 543a9e5; LeNet-5 with average
  pooling, momentum): "Highest accuracy of 98.6% on MNIST testing dataset has achieved in 20
  epoches of training (93.5% after 1st epoch). The training (20 epoches, batch size = 256) takes
  about 2 hours using CPU only (3.5 hours if evaluate after each epoch)." (about 6 min/epoch)
- https://github.com/neuron-whisperer/cnn-numpy (README, commit e712a44; one conv layer of 32
  filters): "A one-ConvLayer CNN using the stride groups implementation can complete an entire
  100-minibatch epoch over 95% of the MNIST data set in a little over two minutes (vs. 18 hours
  for the example code)."
"""

from __future__ import annotations

import statistics
import time

import numpy as np

import digitnet as dn
from digitnet.nn.work import training_flops
from digitnet.training.profile import products_seconds

BATCH = 128
EVAL_CHUNK = 1000  # images per predict call (see predict_digitnet)
RECIPE = (
    "LeNet-like: conv 5x5 16 pad 2, ReLU, maxpool 2, conv 5x5 32 pad 2, ReLU, maxpool 2, "
    "dense 128, ReLU, dense 10; Adam lr 0.001, batch 128, float32, shuffled every epoch; "
    "PyTorch starts from digitnet's initial weights"
)


def lenet(seed: int = 0) -> dn.Sequential:
    """The LeNet-like network: He initialisation before each ReLU, Glorot before the softmax
    (as dn.MLP does), biases 0."""
    return dn.Sequential(
        [
            dn.Conv2D(1, 16, 5, padding=2),  # (16, 28, 28)
            dn.ReLU(),
            dn.MaxPool2D(2),  # (16, 14, 14)
            dn.Conv2D(16, 32, 5, padding=2),  # (32, 14, 14)
            dn.ReLU(),
            dn.MaxPool2D(2),  # (32, 7, 7)
            dn.Flatten(),  # (1568,): channel, row, column, as torch.flatten
            dn.Dense(32 * 7 * 7, 128),
            dn.ReLU(),
            dn.Dense(128, 10, init="glorot"),
        ],
        input_shape=(1, 28, 28),
        seed=seed,
    )


VGG_RECIPE = (
    "VGG-like with batch norm: conv 3x3 32 pad 1, batchnorm, ReLU, conv 3x3 32 pad 1, batchnorm, "
    "ReLU, maxpool 2, conv 3x3 64 pad 1, batchnorm, ReLU, conv 3x3 64 pad 1, batchnorm, ReLU, "
    "maxpool 2, dense 256, ReLU, dense 10; Adam lr 0.001, batch 128, float32, shuffled every "
    "epoch; PyTorch starts from digitnet's initial weights"
)


def vgg_bn(seed: int = 0) -> dn.Sequential:
    """The VGG-like network with batch norm after every convolution."""
    layers: list = []
    for c_in, c_out, pool in ((1, 32, False), (32, 32, True), (32, 64, False), (64, 64, True)):
        layers += [dn.Conv2D(c_in, c_out, 3, padding=1), dn.BatchNorm(c_out), dn.ReLU()]
        layers += [dn.MaxPool2D(2)] if pool else []  # (32, 14, 14), then (64, 7, 7)
    layers += [
        dn.Flatten(),
        dn.Dense(64 * 7 * 7, 256),
        dn.ReLU(),
        dn.Dense(256, 10, init="glorot"),
    ]
    return dn.Sequential(layers, input_shape=(1, 28, 28), seed=seed)


NETWORKS = {"lenet": (lenet, RECIPE), "vgg-bn": (vgg_bn, VGG_RECIPE)}


def torch_copy(model: dn.Sequential):
    """The same network in PyTorch with `model`'s current weights. Conv2d stores W as digitnet
    does, (C_out, C_in, k, k); Linear stores the transpose of a dense W, (D_out, D_in)."""
    import torch

    plain = {dn.ReLU: torch.nn.ReLU, dn.Flatten: torch.nn.Flatten}
    layers = []
    for layer in model.layers:
        if isinstance(layer, dn.Conv2D):
            sizes = (layer.in_channels, layer.out_channels, layer.kernel_size)
            twin = torch.nn.Conv2d(*sizes, stride=layer.stride, padding=layer.padding)
            weight = layer.params["W"]
        elif isinstance(layer, dn.Dense):
            twin = torch.nn.Linear(layer.in_features, layer.out_features)
            weight = layer.params["W"].T
        elif isinstance(layer, dn.MaxPool2D):
            twin = torch.nn.MaxPool2d(layer.kernel_size, layer.stride)
        elif isinstance(layer, dn.BatchNorm):
            twin = torch.nn.BatchNorm2d(layer.num_features, layer.eps, layer.momentum)
            with torch.no_grad():
                twin.weight.copy_(torch.from_numpy(layer.params["gamma"]))
                twin.bias.copy_(torch.from_numpy(layer.params["beta"]))
            layers.append(twin)
            continue
        elif type(layer) in plain:
            twin = plain[type(layer)]()
        else:
            raise ValueError(f"no PyTorch twin for {layer!r}")
        if layer.params:
            with torch.no_grad():
                twin.weight.copy_(torch.from_numpy(np.ascontiguousarray(weight)))
                twin.bias.copy_(torch.from_numpy(layer.params["b"]))
        layers.append(twin)
    return torch.nn.Sequential(*layers)


# --- the matrix products, and what the hardware can do with them ---------------------------------
def flops_per_epoch(model: dn.Sequential, n: int = 60000) -> float:
    """The FLOP of an epoch of n images' matrix products, as the network counts them
    (digitnet.nn.work.training_flops)."""
    return training_flops(model, n)


def gemms_seconds(
    model: dn.Sequential, batch: int = BATCH, n: int = 60000, repeats: int = 5
) -> float:
    """Seconds per epoch of only the matrix products of training: ceil(n / batch) steps of those
    digitnet.nn.work.matrix_products lists, each thread's share of a batch on its own thread
    (training.profile.products_seconds), as many threads as a step of `model` runs on."""
    threads = model.threads_per_step(batch)
    return products_seconds(model, batch, threads, repeats) * -(-n // batch)


def _timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


# --- the competitors: each gives (train_one_epoch, test_accuracy) --------------------------------
def predict_digitnet(model: dn.Sequential, X: np.ndarray) -> np.ndarray:
    """Predicted digits, EVAL_CHUNK images per call: model.predict's own chunks of 8,192 images
    would make the second convolution's patch matrix 400 x 1.6 million floats (2.6 GB)."""
    starts = range(0, len(X), EVAL_CHUNK)
    return np.concatenate([model.predict(X[i : i + EVAL_CHUNK]) for i in starts])


def make_digitnet(data: dict, seed: int, build=lenet):
    (X8, y), (Xt8, yt) = data["uint8"]
    model, optimizer = build(seed), dn.Adam(lr=1e-3)

    def epoch():
        model.fit(X8, y, epochs=1, batch_size=BATCH, optimizer=optimizer, lr_schedule="constant",
                  verbose=0)  # fmt: skip

    return model, epoch, lambda: float(np.mean(predict_digitnet(model, Xt8) == yt))


def make_torch(data: dict, seed: int, model: dn.Sequential):
    """PyTorch as its users write it (fused Adam, its fastest on CPU), from `model`'s weights."""
    import torch

    (X, y), (Xt, yt) = data["float32"]
    X, Xt = (torch.from_numpy(a.reshape(len(a), 1, 28, 28)) for a in (X, Xt))
    y = torch.from_numpy(y)
    net = torch_copy(model)
    optimizer = torch.optim.Adam(net.parameters(), lr=1e-3, fused=True)
    generator = torch.Generator().manual_seed(seed)

    from compare import torch_train_epoch  # the MLP race's epoch: the same loop for any net

    def epoch():
        torch_train_epoch(net, optimizer, X, y, BATCH, generator)

    def accuracy():
        with torch.inference_mode():
            starts = range(0, len(Xt), EVAL_CHUNK)
            predicted = torch.cat([net(Xt[i : i + EVAL_CHUNK]).argmax(dim=1) for i in starts])
        return float(np.mean(predicted.numpy() == yt))

    return epoch, accuracy


def race(data: dict, epochs: int, repeats: int, with_torch: bool, build=lenet) -> dict:
    """Train both `repeats` times (seeds 0, 1, ...), taking turns epoch by epoch; time each
    epoch, score the test set after each (untimed)."""
    names = ["digitnet", "PyTorch"] if with_torch else ["digitnet"]
    results: dict = {name: {"epoch_seconds": [], "accuracy_by_epoch": []} for name in names}
    for seed in range(repeats):
        model, *ours = make_digitnet(data, seed, build)
        runs = {"digitnet": ours}
        if with_torch:
            runs["PyTorch"] = list(make_torch(data, seed, model))  # before digitnet trains
        accuracies: dict[str, list[float]] = {name: [] for name in runs}
        for _ in range(epochs):
            for name, (epoch, accuracy) in runs.items():
                time.sleep(0.1)  # let the previous competitor's threads go idle
                results[name]["epoch_seconds"].append(_timed(epoch))
                accuracies[name].append(accuracy())
        for name in runs:
            results[name]["accuracy_by_epoch"].append(accuracies[name])
            print(
                f"  {name:<10} seed {seed}: "
                f"{statistics.median(results[name]['epoch_seconds']):.2f} s/epoch, "
                f"accuracy by epoch {', '.join(f'{a:.4f}' for a in accuracies[name])}",
                flush=True,
            )
    for r in results.values():
        r["median_epoch_seconds"] = statistics.median(r["epoch_seconds"])
        r["final_accuracy"] = statistics.median(run[-1] for run in r["accuracy_by_epoch"])
    return results


# --- the section ---------------------------------------------------------------------------------
def run(
    data: dict,
    peak_gflops: float,
    epochs: int = 3,
    repeats: int = 1,
    with_torch: bool = True,
    threads: int = 2,
    quick: bool = False,
    network: str = "lenet",
) -> dict:
    """The CNN section: print the race and the bounds; return them as a dict for the report.
    PyTorch runs with `threads` threads (as many as NumPy's BLAS, for a fair race)."""
    n_train = len(data["uint8"][0][0])
    build, recipe = NETWORKS[network]
    model = build(0)
    flops = flops_per_epoch(model, n_train)
    tries = 1 if quick else 5
    report: dict = {
        "recipe": f"{recipe}; {epochs} epochs x seeds 0..{repeats - 1}, {n_train} images",
        "gflop_per_epoch": flops / 1e9,
        "gemm_seconds_per_epoch": gemms_seconds(model, n=n_train, repeats=tries),
        "flop_bound_seconds_per_epoch": flops / (peak_gflops * 1e9),
    }
    print(
        f"\nCNN ({recipe}).\n{flops / 1e9:.0f} GFLOP per epoch in matrix products -> FLOP bound "
        f"{report['flop_bound_seconds_per_epoch']:.2f} s at {peak_gflops:.0f} GFLOP/s; the "
        f"products alone {report['gemm_seconds_per_epoch']:.2f} s/epoch"
    )
    if with_torch:
        try:
            import torch

            torch.set_num_threads(threads)
            report["torch_threads"] = threads
        except ImportError:
            print("note: PyTorch is not installed: the CNN race is digitnet alone")
            with_torch = False
    print(f"training ({epochs} epochs x {repeats} seeds each, interleaved):")
    report["training"] = race(data, epochs, repeats, with_torch, build)
    reference = report["training"].get("PyTorch", {}).get("median_epoch_seconds")
    if reference:
        ratio = report["training"]["digitnet"]["median_epoch_seconds"] / reference
        report["digitnet_vs_pytorch"] = ratio
    print_table(report, epochs)
    return report


def print_table(report: dict, epochs: int) -> None:
    training = report["training"]
    reference = training.get("PyTorch", {}).get("median_epoch_seconds")
    print(f"\n{'CNN':<22}{'s/epoch':>9}{'vs PyTorch':>12}{f'acc@{epochs}':>9}")
    rows = [(name, r["median_epoch_seconds"], r["final_accuracy"]) for name, r in training.items()]
    rows += [("GEMMs alone", report["gemm_seconds_per_epoch"], None)]
    rows += [("FLOP bound", report["flop_bound_seconds_per_epoch"], None)]
    for name, seconds, accuracy in rows:
        ratio = f"{seconds / reference:.2f}x" if reference else "-"
        cell = f"{accuracy:>9.4f}" if accuracy is not None else ""
        print(f"{name:<22}{seconds:>9.3f}{ratio:>12}{cell}")


def markdown_table(report: dict, epochs: int, peak_gflops: float) -> str:
    """The race as docs/speed.md shows it: s/epoch, the ratio to PyTorch, the accuracy after the
    last epoch, then the matrix products alone and the FLOP bound."""
    training = report["training"]
    reference = training.get("PyTorch", {}).get("median_epoch_seconds")

    def ratio(seconds: float) -> str:
        return f"{seconds / reference:.2f}x" if reference else ""

    lines = [
        f"| | s/epoch | vs PyTorch | test accuracy after {epochs} epochs |",
        "|---|---|---|---|",
    ]
    for name, r in training.items():
        bold = "**" if name == "digitnet" else ""
        seconds = r["median_epoch_seconds"]
        lines.append(
            f"| {bold}{name}{bold} | {bold}{seconds:.2f}{bold} | {bold}{ratio(seconds)}{bold} | "
            f"{r['final_accuracy']:.2%} |"
        )
    gemms, bound = report["gemm_seconds_per_epoch"], report["flop_bound_seconds_per_epoch"]
    lines.append(
        "| digitnet's matrix products alone (same shapes and layouts, each thread's share on its "
        f"thread) | {gemms:.2f} | {ratio(gemms)} | |"
    )
    lines.append(
        f"| FLOP bound ({report['gflop_per_epoch']:,.0f} GFLOP per epoch at the "
        f"{peak_gflops:.0f} GFLOP/s this machine's BLAS measured) | {bound:.2f} | "
        f"{ratio(bound)} | |"
    )
    return "\n".join(lines) + "\n"
