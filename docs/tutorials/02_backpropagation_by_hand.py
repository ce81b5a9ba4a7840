# %% [markdown]
# # Backpropagation by hand
#
# To learn, the network needs the gradient of the loss L with respect to each of its
# 109,386 weights and biases: how much L changes when that one number moves a little.
# Nudging the weights one at a time would take two forward passes per weight, over 200,000
# passes per training step. **Backpropagation** gets all of them from one backward pass,
# which costs about as much as two forward passes. It is the chain rule, applied one layer
# at a time, from the loss back to the first layer.
#
# In this notebook we
# 1. derive the gradient of each layer and compute it in NumPy for a batch of 10 images;
# 2. check that digitnet's `model.backward` gives the same numbers;
# 3. check both against finite differences, which know nothing about the chain rule;
# 4. break the backward pass in two classic ways, and watch the check catch each one.
#
# The symbols are those of [docs/backprop.md](../backprop.md) and of
# [notebook 1](01_pixels_to_probabilities.ipynb): `x`, `z1 = x W1 + b1`, `h1 = relu(z1)`,
# `z2`, `h2`, `z3` (the logits), `p = softmax(z3)` and `L`. A gradient is written `dL/dW1`,
# and has the shape of `W1`.

# %%
import matplotlib.pyplot as plt
import numpy as np

import digitnet as dn
from digitnet.nn import gradcheck, losses

np.set_printoptions(precision=4, suppress=True)

# %% [markdown]
# ## 1. A network and a batch
#
# We take a fresh reference network, 784 -> 128 -> 64 -> 10, and 10 random training images.
# The gradient formulas hold for any weights, so the untrained ones will do.
#
# We ask for **float64** numbers (`dtype="float64"`), where digitnet trains in float32.
# Backpropagation does not need it; the finite-difference check of section 8 does, and
# section 8 shows why.

# %%
(X_train, y_train), _ = dn.load_mnist()
rng = np.random.default_rng(0)
batch = rng.choice(len(X_train), size=10, replace=False)
x, y = X_train[batch].astype(np.float64), y_train[batch]
N = len(x)
print("x", x.shape, x.dtype, " labels y", y)

model = dn.MLP([784, 128, 64, 10], seed=0, dtype="float64")
W1, b1 = model.layers[0].params["W"], model.layers[0].params["b"]
W2, b2 = model.layers[2].params["W"], model.layers[2].params["b"]
W3, b3 = model.layers[4].params["W"], model.layers[4].params["b"]

# %% [markdown]
# ## 2. The forward pass, keeping what the backward pass needs
#
# As in notebook 1. The backward pass will need the inputs of each layer (`x`, `h1`, `h2`)
# and the values before each ReLU (`z1`, `z2`), so `forward` returns them all.
# `loss` computes L with digitnet's `log_softmax` (notebook 1 shows why not `log(softmax)`).


# %%
def forward(x):
    z1 = x @ W1 + b1
    h1 = np.maximum(z1, 0)
    z2 = h1 @ W2 + b2
    h2 = np.maximum(z2, 0)
    z3 = h2 @ W3 + b3
    return z1, h1, z2, h2, z3


def loss(x, y):
    """L = -(1/N) sum_n log p[n, y_n]."""
    z3 = forward(x)[-1]
    return -losses.log_softmax(z3)[np.arange(len(y)), y].mean()


z1, h1, z2, h2, z3 = forward(x)
L = loss(x, y)
print(f"L = {L:.4f}   (about log 10 = {np.log(10):.4f}: the network has not learned yet)")

# %% [markdown]
# ## 3. The output: dL/dz3 = (p - onehot) / N
#
# For one image with logits z and label y, notebook 1 wrote the loss as
#
#     ℓ = -log p_y = -z_y + log Σ_k e^{z_k}
#
# Differentiate with respect to one logit z_j. The derivative of log Σ_k e^{z_k} is
# e^{z_j} / Σ_k e^{z_k}, which is p_j. The derivative of -z_y is -1 if j = y, else 0. So
#
#     dℓ/dz_j = p_j - 1[j = y]
#
# In words: lower the right digit's score, raise the others', each in proportion to its
# probability. L is the mean over N images, so each row also gets a factor 1/N:
#
#     g3 = dL/dz3 = (p - onehot(y)) / N        (N, 10)
#
# `onehot(y)` has a 1 in each row at that row's label and 0 elsewhere.

# %%
p = losses.softmax(z3)
onehot = np.eye(10)[y]
g3 = (p - onehot) / N
print("g3", g3.shape)
print("row 0 of p:     ", p[0])
print("row 0 of onehot:", onehot[0])
print("row 0 of g3:    ", g3[0])

# %% [markdown]
# Each row of g3 sums to 0: p sums to 1, and so does the onehot row. Remember this fact
# for the first bug, in section 9.

# %%
print(f"largest |row sum| of g3: {np.abs(g3.sum(axis=1)).max():.0e}  (0, up to rounding)")
assert np.allclose(g3.sum(axis=1), 0)

# %% [markdown]
# ## 4. A dense layer: z3 = h2 W3 + b3
#
# Write one entry of the product: z3[n, j] = Σ_i h2[n, i] W3[i, j] + b3[j].
# The gradient g3 = dL/dz3 is known. By the chain rule, the gradient of anything
# is the sum, over every entry of z3 it touches, of g3 at that entry times how
# strongly it touches it:
#
# - **W3[i, j]** touches z3[n, j] of every image n, with factor h2[n, i]:
#   dL/dW3[i, j] = Σ_n h2[n, i] g3[n, j], that is, **dL/dW3 = h2ᵀ g3**, (64, 10).
# - **b3[j]** is added to z3[n, j] of every image n, with factor 1:
#   dL/db3[j] = Σ_n g3[n, j], that is, **dL/db3 = the sum of g3 over the batch**
#   (axis 0), (10,).
# - **h2[n, i]** touches z3[n, j] for every digit j, with factor W3[i, j]:
#   dL/dh2[n, i] = Σ_j g3[n, j] W3[i, j], that is, **dL/dh2 = g3 W3ᵀ**, (N, 64).
#
# A quick way to remember where the transposes go: every gradient has the shape of what it
# is the gradient of, and only one product of the available matrices has that shape.

# %%
dW3 = h2.T @ g3  # (64, N) @ (N, 10)
db3 = g3.sum(axis=0)  # sum over the batch
g_h2 = g3 @ W3.T  # (N, 10) @ (10, 64): passed down to the layer below
print("dW3", dW3.shape, " W3", W3.shape)
print("db3", db3.shape, "   b3", b3.shape)
print("g_h2", g_h2.shape, " h2", h2.shape)
assert dW3.shape == W3.shape and db3.shape == b3.shape and g_h2.shape == h2.shape

# %% [markdown]
# ## 5. ReLU: h2 = max(z2, 0)
#
# ReLU works entry by entry. Its slope is 1 where z2 > 0 (the value passes unchanged) and 0
# where z2 < 0 (the output is stuck at 0). So the gradient passes where the unit was on,
# and stops where it was off:
#
#     g2 = dL/dz2 = g_h2 ⊙ 1[z2 > 0]
#
# (⊙ is entry-by-entry multiplication; at exactly z2 = 0 digitnet takes the slope 0.)
# A unit that was off for an image gets no gradient from that image: its weights do not
# change for it.

# %%
g2 = g_h2 * (z2 > 0)
print("g2", g2.shape)
print(f"{(z2 <= 0).mean():.0%} of the entries of z2 are <= 0: their gradient is stopped")

# %% [markdown]
# ## 6. The layers below: the same two steps, twice more
#
# Below the ReLU comes the second dense layer (W2, b2), then the first ReLU, then the first
# dense layer (W1, b1): the steps of sections 4 and 5 again. The first dense layer has one
# difference: its input is the data. Nobody learns the pixels, so we stop at dL/dW1 and
# dL/db1, without computing dL/dx (digitnet skips it too: `Dense.needs_input_grad`).

# %%
dW2 = h1.T @ g2
db2 = g2.sum(axis=0)
g_h1 = g2 @ W2.T
g1 = g_h1 * (z1 > 0)
dW1 = x.T @ g1
db1 = g1.sum(axis=0)
print("dW2", dW2.shape, " db2", db2.shape, " g_h1", g_h1.shape, " g1", g1.shape)
print("dW1", dW1.shape, " db1", db1.shape)

# %% [markdown]
# That is all of backpropagation for this network: eleven lines, from the loss down to the
# first layer. We name the gradients as digitnet does, "index in model.layers.parameter":
# the dense layers are `model.layers[0]`, `[2]` and `[4]`; `[1]` and `[3]` are the ReLUs,
# which have no parameters.

# %%
by_hand = {"0.W": dW1, "0.b": db1, "2.W": dW2, "2.b": db2, "4.W": dW3, "4.b": db3}
params = model.parameters()  # the same arrays as W1, b1, ... (not copies)
print({name: array.shape for name, array in params.items()})
assert np.shares_memory(params["0.W"], W1)

# %% [markdown]
# ## 7. digitnet's backward pass
#
# A training step in digitnet (`training/loop.py`) runs
#
#     logits = model.forward(x, training=True)      # each layer keeps what backward needs
#     L = model.loss.forward(logits, y)             # and keeps p
#     model.backward(model.loss.backward())         # from dL/dlogits down to layer 0
#
# after which each layer's `grads` hold its gradients (`model.gradients()` lists them all).
# They must be ours.

# %%
logits = model.forward(x, training=True)
L_model = model.loss.forward(logits, y)
g3_model = model.loss.backward().copy()  # copy: digitnet reuses this array next step
model.backward(g3_model)

assert np.isclose(L_model, L)
assert np.allclose(g3_model, g3)
for name, grad in model.gradients().items():
    assert np.allclose(grad, by_hand[name], rtol=1e-10, atol=1e-14), name
    print(f"{name}: largest difference {np.abs(grad - by_hand[name]).max():.1e}")
assert np.allclose(model.layers[4].grads["W"], dW3)  # the same arrays, layer by layer

# %% [markdown]
# ## 8. An independent check: finite differences
#
# Our formulas and digitnet's code could share the same mistake. A referee that knows
# nothing about the chain rule: move one weight a little, and see how the loss moves.
# The picture shows L as we move the weight of W3 with the largest gradient. The gradient
# is the slope of this curve at the weight's current value (the dashed tangent).

# %%
i, j = np.unravel_index(np.abs(dW3).argmax(), dW3.shape)
original = W3[i, j]
offsets = np.linspace(-6, 6, 61)
curve = []
for offset in offsets:
    W3[i, j] = original + offset
    curve.append(loss(x, y))
W3[i, j] = original  # put it back!

fig, ax = plt.subplots(figsize=(5, 3))
ax.plot(original + offsets, curve, label="L as W3[i, j] moves")
ax.plot(original + offsets, L + dW3[i, j] * offsets, "--", label="slope dL/dW3[i, j]")
ax.plot(original, L, "ko")
ax.set_xlabel(f"W3[{i}, {j}]")
ax.set_ylabel("L")
ax.legend()
plt.show()

# %% [markdown]
# The **central difference** measures that slope with two nudges of size ε:
#
#     dL/dw ≈ (L(w + ε) - L(w - ε)) / (2ε)
#
# Its error shrinks like ε² (the one-sided (L(w + ε) - L(w)) / ε only like ε).
# We compare the two numbers by their **relative error** |a - n| / max(|a|, |n|),
# because gradients range from 1e-6 to 1: an absolute difference of 1e-8 is nothing for
# a gradient of 0.1, and everything for a gradient of 1e-8.

# %%
eps = 1e-5
W3[i, j] = original + eps
L_plus = loss(x, y)
W3[i, j] = original - eps
L_minus = loss(x, y)
W3[i, j] = original
numeric = (L_plus - L_minus) / (2 * eps)
analytic = dW3[i, j]
error = abs(analytic - numeric) / max(abs(analytic), abs(numeric))
print(f"backprop:        {analytic:.12f}")
print(f"finite diffs:    {numeric:.12f}")
print(f"relative error:  {error:.1e}")
assert error < 1e-6

# %% [markdown]
# Now the same for many entries of every tensor. `gradcheck.numerical_gradient` does the
# nudging above for a list of entries (flat indices); we check 30 random entries per tensor
# (all of them would take 200,000 passes). `gradcheck.relative_error` is the relative
# error above, with one refinement: an entry much smaller than its tensor's largest is
# compared against 1% of that largest, so that the rounding noise of a tiny difference
# does not count as a failure.
#
# The finite differences do not depend on any backward pass, so we compute them once and
# use them to judge every version of the gradients below.

# %%
check_rng = np.random.default_rng(1)
entries = {
    name: check_rng.choice(array.size, size=min(30, array.size), replace=False)
    for name, array in params.items()
}
numeric_grads = {
    name: gradcheck.numerical_gradient(lambda: loss(x, y), array, eps, entries[name])
    for name, array in params.items()
}


def check(grads):
    """The relative error of each tensor's gradient at the chosen entries."""
    errors = {}
    for name, array in params.items():
        assert grads[name].shape == array.shape, f"{name}: {grads[name].shape} != {array.shape}"
        analytic = grads[name].reshape(-1)[entries[name]]
        errors[name] = gradcheck.relative_error(
            analytic, numeric_grads[name].reshape(-1)[entries[name]]
        )
    return errors


right = check(by_hand)
for name, error in right.items():
    print(f"{name}: relative error {error:.1e}")
assert max(right.values()) < gradcheck.TOLERANCE  # 1e-6

# %% [markdown]
# digitnet's own check, `gradcheck.check_model`, does the same on the model (through
# `model.forward` and `model.loss`, not our functions), and `digitnet gradcheck` runs it on
# a small network for every activation.

# %%
errors = gradcheck.check_model(model, x, y, max_entries=30)
print({name: f"{error:.1e}" for name, error in errors.items()})
assert max(errors.values()) < gradcheck.TOLERANCE

# %% [markdown]
# **Why float64.** The difference L(w + ε) - L(w - ε) is tiny, about 2ε × gradient.
# float32 keeps about 7 significant digits: on a loss of 2.3, each L is off by up to about
# 1e-7, as much as the difference itself. The same check of the same network in float32
# fails, although its backward pass is right:

# %%
model32 = dn.MLP([784, 128, 64, 10], seed=0)  # float32, the training default
errors32 = gradcheck.check_model(model32, x.astype(np.float32), y, max_entries=30)
print({name: f"{error:.1e}" for name, error in errors32.items()})
assert max(errors32.values()) > 1e-3

# %% [markdown]
# ## 9. Two classic bugs, and how the check catches them
#
# Here is the backward pass of sections 3-6 again, in one function, with two
# switches that break it the way people often do.


# %%
def gradients_by_hand(x, y, bug=None):
    z1, h1, z2, h2, z3 = forward(x)
    n = len(x)
    g3 = (losses.softmax(z3) - np.eye(10)[y]) / n
    dW3 = h2.T @ g3
    if bug == "bias axis":
        db3 = g3.sum(axis=1)  # BUG: sums over the digits, not over the batch
    else:
        db3 = g3.sum(axis=0)
    g_h2 = g3 @ W3.T
    if bug == "no relu derivative":
        g2 = g_h2  # BUG: forgot "* (z2 > 0)"
    else:
        g2 = g_h2 * (z2 > 0)
    dW2, db2 = h1.T @ g2, g2.sum(axis=0)
    g_h1 = g2 @ W2.T
    if bug == "no relu derivative":
        g1 = g_h1  # BUG: forgot "* (z1 > 0)"
    else:
        g1 = g_h1 * (z1 > 0)
    dW1, db1 = x.T @ g1, g1.sum(axis=0)
    return {"0.W": dW1, "0.b": db1, "2.W": dW2, "2.b": db2, "4.W": dW3, "4.b": db3}


assert check(gradients_by_hand(x, y)) == right  # without a bug: the same as before

# %% [markdown]
# ### Bug 1: the bias gradient summed over the wrong axis
#
# `db3 = g3.sum(axis=1)` sums each row (over the 10 digits) instead of each column (over
# the batch). Usually the shape gives it away: with a batch of 8 the result has shape (8,),
# not (10,), and the shape assertion in `check` stops it. Our batch has 10 images and the
# network 10 digits, so the shape is right by coincidence, and only the numbers can tell:

# %%
print("batch of 8: db3 has shape", gradients_by_hand(x[:8], y[:8], bug="bias axis")["4.b"].shape)

bias_bug = check(gradients_by_hand(x, y, bug="bias axis"))
for name, error in bias_bug.items():
    print(f"{name}: relative error {error:.1e}")
assert bias_bug["4.b"] > 0.5
assert all(bias_bug[name] < gradcheck.TOLERANCE for name in ["0.W", "0.b", "2.W", "2.b", "4.W"])

# %% [markdown]
# Only `4.b` fails, with a relative error of 1: the wrong `db3` is all zeros, because each
# row of g3 sums to 0 (section 3). Every other gradient is right: the bug does not
# travel, since nothing below uses `db3`.

# %%
wrong_db3 = gradients_by_hand(x, y, bug="bias axis")["4.b"]
print(f"wrong db3: largest |entry| {np.abs(wrong_db3).max():.0e}  (0, up to rounding)")
print("right db3:", db3)

# %% [markdown]
# ### Bug 2: the missing ReLU derivative
#
# Forgetting `* (z > 0)` passes the gradient through units that were off, as if ReLU were
# not there. Nothing crashes and every shape is right.

# %%
relu_bug = check(gradients_by_hand(x, y, bug="no relu derivative"))
for name, error in relu_bug.items():
    print(f"{name}: relative error {error:.1e}")
assert all(relu_bug[name] > 0.1 for name in ["0.W", "0.b", "2.W", "2.b"])
assert relu_bug["4.W"] < gradcheck.TOLERANCE and relu_bug["4.b"] < gradcheck.TOLERANCE

# %% [markdown]
# This time the output layer passes and the two layers below fail. That is how a check
# points to a bug: the gradients above the broken step are right, the ones below are wrong,
# because backpropagation carries the error down to every earlier layer.

# %%
names = list(params)
versions = {"right": right, "bias axis bug": bias_bug, "no ReLU derivative": relu_bug}
fig, ax = plt.subplots(figsize=(8, 3))
for k, (label, errs) in enumerate(versions.items()):
    heights = [max(errs[name], 1e-12) for name in names]
    ax.bar(np.arange(len(names)) + 0.27 * (k - 1), heights, width=0.27, label=label)
ax.axhline(gradcheck.TOLERANCE, color="black", linestyle="--", label="tolerance 1e-6")
ax.set_yscale("log")
ax.set_xticks(range(len(names)), names)
ax.set_xlabel("tensor (layer.parameter)")
ax.set_ylabel("relative error")
ax.legend(loc="center left", bbox_to_anchor=(1, 0.5))
ax.set_title("finite-difference check of three backward passes")
plt.show()

# %% [markdown]
# ## Summary
#
# | step | gradient | shape | digitnet |
# |---|---|---|---|
# | softmax + loss | g3 = (p - onehot(y)) / N | (N, 10) | `SoftmaxCrossEntropy.backward` |
# | dense z = x W + b | dL/dW = xᵀ g, dL/db = Σ_n g, dL/dx = g Wᵀ | as W, b, x | `Dense.backward` |
# | ReLU h = max(z, 0) | dL/dz = dL/dh ⊙ 1[z > 0] | as z | `ReLU.backward` |
# | the whole network | the steps above, last layer first | | `Network.backward` |
# | the check | (L(w + ε) - L(w - ε)) / 2ε, in float64 | | `gradcheck.check_model` |
#
# Every gradient has the shape of its parameter: assert it, it catches many bugs for free.
# Then check the numbers against finite differences, in float64: they catch the rest.
#
# ## Exercises
#
# **1.** A common variant of the bias bug: `db3 = g3.mean(axis=0)` instead of
# `g3.sum(axis=0)`. The shape is right. What relative error will the check report,
# and why?
#
# <details><summary>Answer</summary>
#
# The mean is the sum divided by N, so every entry of `db3` is N = 10 times too small,
# and the relative error is |a - a/N| / |a| = 1 - 1/N = **0.9**. The 1/N of the batch mean
# is already in g3 (section 3); dividing again counts it twice.
#
# ```python
# grads = gradients_by_hand(x, y)
# grads["4.b"] = grads["4.b"] / N  # what g3.mean(axis=0) gives
# print(check(grads)["4.b"])  # 0.9
# ```
# </details>
#
# **2.** Replace ReLU by the sigmoid, y = 1 / (1 + e^{-z}). What is dL/dz, given
# g = dL/dy? Check digitnet's sigmoid network against finite differences.
#
# <details><summary>Answer</summary>
#
# The derivative of the sigmoid is y (1 - y), so dL/dz = g ⊙ y ⊙ (1 - y): the forward
# pass keeps y, and backward needs nothing else (`nn.activations.Sigmoid.backward`).
#
# ```python
# sigmoid_net = dn.MLP([784, 32, 10], activation="sigmoid", seed=0, dtype="float64")
# errors = gradcheck.check_model(sigmoid_net, x, y, max_entries=30)
# print(max(errors.values()))  # about 1e-7: below the tolerance 1e-6
# ```
# </details>
#
# **3.** Repeat the one-entry check of section 8 with ε = 1e-2 and with ε = 1e-12.
# Which is worse, and why is 1e-5 a good choice?
#
# <details><summary>Answer</summary>
#
# ε = 1e-12 is much worse. Two errors pull in opposite directions. A large ε measures the
# slope over a wide interval where the curve bends: this truncation error grows like ε².
# A tiny ε makes L(w + ε) - L(w - ε) so small that float64's rounding of L (about
# 1e-16 × L) becomes a large part of it: this rounding error grows like 1e-16 / ε.
# ε = 1e-5 keeps both near 1e-10.
#
# ```python
# for eps_try in [1e-2, 1e-5, 1e-12]:
#     W3[i, j] = original + eps_try
#     L_plus = loss(x, y)
#     W3[i, j] = original - eps_try
#     L_minus = loss(x, y)
#     W3[i, j] = original
#     estimate = (L_plus - L_minus) / (2 * eps_try)
#     print(eps_try, abs(estimate - dW3[i, j]) / abs(dW3[i, j]))
# ```
# Here ε = 1e-2 gives about 1e-6 (this weight's curve is nearly straight, as the picture of
# section 8 shows; the bends of ReLU can make it much worse), ε = 1e-12 about 3e-4, and
# ε = 1e-5 about 1e-10.
# </details>
#
# **4.** Would you notice the missing ReLU derivative from the accuracy alone? Train
# two networks for 2 epochs on 10,000 images with Adam, one with the right gradients and
# one with the bug, and compare their test accuracy.
#
# <details><summary>Answer</summary>
#
# Probably not: the buggy network still learns. digitnet's plain reference
# (`nn/reference.py`) makes the experiment short, since its `backward` is easy to copy
# and break:
#
# ```python
# from digitnet.nn import reference
#
# _, (X_test, y_test) = dn.load_mnist()
# X, Y = X_train[:10000], y_train[:10000]
# for bug in [False, True]:
#     weights, adam, order_rng = reference.init(seed=0)
#     for epoch in range(2):
#         order = order_rng.permutation(len(X))
#         for start in range(0, len(X), 128):
#             xb, yb = X[order[start : start + 128]], Y[order[start : start + 128]]
#             logits, (z1, h1, z2, h2) = reference.forward(weights, xb)
#             _, g = reference.softmax_cross_entropy(logits, yb)
#             if bug:  # the ReLU derivative forgotten in both hidden layers
#                 g_h2, gW3, gb3 = reference.dense_backward(h2, weights[4], g)
#                 g_h1, gW2, gb2 = reference.dense_backward(h1, weights[2], g_h2)
#                 grads = [xb.T @ g_h1, g_h1.sum(axis=0), gW2, gb2, gW3, gb3]
#             else:
#                 grads = reference.backward(weights, xb, (z1, h1, z2, h2), g)
#             reference.adam_step(weights, grads, adam)
#     accuracy = (reference.predict(weights, X_test) == y_test).mean()
#     print("with the bug" if bug else "right", f"{accuracy:.1%}")
# ```
# The right gradients reach about 92.5%, the buggy ones about 90%. A few points lower,
# which you could blame on anything: the learning rate, the initialisation, bad luck.
# Only the gradient check says "bug", and says where.
# </details>
