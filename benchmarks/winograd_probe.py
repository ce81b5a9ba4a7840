"""Does Winograd's F(2x2, 3x3) pay for the VGG-like net's 3x3 convolutions, written in NumPy?

Winograd (Lavin and Gray 2015, "Fast Algorithms for Convolutional Neural Networks") computes each
2x2 tile of output from a 4x4 tile of input with 16 multiplications per channel pair instead of
36 (2.25x fewer): U = G w G^T (the kernel, 4x4), V = B^T d B (each input tile, 4x4), then for each
of the 16 positions (xi, nu) one matrix product M[xi, nu] = U[xi, nu] (C_out, C_in) V[xi, nu]
(C_in, tiles), and the output tile Y = A^T M A. This probe times the forward pass of the
network's convolutions both ways, batch last as the network keeps them, one BLAS thread (one
thread's share of a batch), checks that they agree, and prints the ratio. Only if the forward
pays is a backward worth writing.

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/winograd_probe.py [--write-docs]

With --write-docs, the table also goes into docs/speed.md (docs/measured.py).
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
from threadpoolctl import threadpool_limits

from digitnet.nn.conv import Conv2D

B_T = np.array([[1, 0, -1, 0], [0, 1, 1, 0], [0, -1, 1, 0], [0, 1, 0, -1]], float)
G = np.array([[1, 0, 0], [0.5, 0.5, 0.5], [0.5, -0.5, 0.5], [0, 0, 1]])
A_T = np.array([[1, 1, 1, 0], [0, 1, -1, -1]], float)
# the VGG-like net's 3x3 convolutions after the first: (C_in, C_out, H = W)
SHAPES = [(32, 32, 28), (32, 64, 14), (64, 64, 14)]


def kernel_transform(W: np.ndarray) -> np.ndarray:
    """U[xi, nu] = (G w G^T)[xi, nu] for each (C_out, C_in) pair        (16, C_out, C_in)."""
    U = np.einsum("ik,ockl,jl->ijoc", G, W, G)
    return U.reshape(16, *W.shape[:2]).astype(W.dtype)


def _transform_pairs(rows: list[np.ndarray], matrix: np.ndarray, outs=None) -> list[np.ndarray]:
    """matrix @ rows, for a list of arrays and a matrix of 0, 1 and -1: additions only, in
    the arrays' own dtype (into `outs` if given: each matrix row's sum written there)."""
    results = []
    for k, coefficients in enumerate(matrix):
        (c0, a), (c1, b), *rest = [(c, r) for c, r in zip(coefficients, rows) if c != 0]
        out = None if outs is None else outs[k]
        if c0 > 0:  # every row of B^T and A^T has two or three terms, the first one +1 or -1
            total = (np.add if c1 > 0 else np.subtract)(a, b, out=out)
        else:
            total = (
                np.subtract(b, a, out=out)
                if c1 > 0
                else np.negative(np.add(a, b, out=out), out=out)
            )
        for c, r in rest:
            (np.add if c > 0 else np.subtract)(total, r, out=total)
        results.append(total)
    return results


def winograd_forward(x_pad: np.ndarray, U: np.ndarray, b: np.ndarray) -> np.ndarray:
    """z (C_out, H, W, N) of a 3x3 stride-1 convolution of padded batch-last images x_pad
    (C_in, H + 2, W + 2, N), H and W even."""
    C, Hp, Wp, N = x_pad.shape
    T, S = (Hp - 2) // 2, (Wp - 2) // 2  # tiles down and across
    # V = B^T d B: the rows of each tile (stride 2), then its columns       4 x (C, T, Wp, N)
    rows = _transform_pairs([x_pad[:, i : i + 2 * T : 2] for i in range(4)], B_T)
    V = np.empty((4, 4, C, T, S, N), x_pad.dtype)
    for i, r in enumerate(rows):
        _transform_pairs([r[:, :, j : j + 2 * S : 2] for j in range(4)], B_T, outs=V[i])
    # M[xi, nu] = U[xi, nu] V[xi, nu]: 16 products                   (16, C_out, T S N)
    M = np.matmul(U, V.reshape(16, C, -1)).reshape(4, 4, -1, T, S, N)
    # Y = A^T M A: two rows of each tile, then two columns         (C_out, T, 2, S, 2, N)
    Y = np.empty((M.shape[2], T, 2, S, 2, N), x_pad.dtype)
    for i, r in enumerate(_transform_pairs(list(M), A_T)):
        r[1] += b[:, None, None, None]  # both rows of A^T hold the second term once: +b
        _transform_pairs(list(r), A_T, outs=[Y[:, :, i, :, j] for j in range(2)])
    return Y.reshape(M.shape[2], 2 * T, 2 * S, N)


def median_ms(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times[1:]) * 1000


def race(C_in: int, C_out: int, H: int, batch: int, repeats: int, rng) -> tuple:
    """(im2col ms, Winograd ms, max |difference|) of one layer's forward, taking turns."""
    layer = Conv2D(C_in, C_out, 3, padding=1)
    layer.build(rng, "float32")
    layer.params["b"][...] = rng.standard_normal(C_out)  # a bias, to check it is added once
    layer.input_batch_last = layer.output_batch_last = True  # as the network plans it
    x = rng.standard_normal((C_in, H, H, batch)).astype(np.float32)
    x_pad = np.zeros((C_in, H + 2, H + 2, batch), np.float32)
    U, b = kernel_transform(layer.params["W"]), layer.params["b"]

    def ours():
        return layer.forward(x, training=True)

    def winograd():
        x_pad[:, 1:-1, 1:-1] = x  # as the layer pads
        return winograd_forward(x_pad, U, b)

    with threadpool_limits(1):
        difference = float(np.abs(winograd() - ours()).max())
        plain, fast = [], []
        for _ in range(repeats):  # taking turns
            plain.append(median_ms(ours, 3))
            fast.append(median_ms(winograd, 3))
    return statistics.median(plain), statistics.median(fast), difference


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=64, help="one thread's share of 128")
    parser.add_argument("--repeats", type=int, default=11)
    parser.add_argument("--write-docs", action="store_true", help="the table into docs/speed.md")
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    print(f"forward, batch {args.batch}, float32, one BLAS thread: ms (median)")
    print("  C_in C_out  HxW   im2col  winograd  winograd/im2col  max |difference|")
    rows = ["| conv | im2col + product | Winograd F(2x2, 3x3) | ratio |", "|---|---|---|---|"]
    for C_in, C_out, H in SHAPES:
        p, f, difference = race(C_in, C_out, H, args.batch, args.repeats, rng)
        print(f"  {C_in:>4} {C_out:>4} {H:>3}x{H:<3} {p:7.2f} {f:9.2f} {f / p:12.2f}x"
              f"        {difference:.1e}")  # fmt: skip
        rows.append(f"| {C_in} -> {C_out} channels, {H}x{H} | {p:.2f} ms | {f:.2f} ms | "
                    f"{f / p:.2f}x |")  # fmt: skip
    if args.write_docs:
        from docs_tables import write_docs

        command = "python benchmarks/winograd_probe.py --write-docs"
        write_docs("speed.md", "winograd", "\n".join(rows), command)


if __name__ == "__main__":
    main()
