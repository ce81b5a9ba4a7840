# %% [markdown]
# # From pixels to probabilities
#
# A network that reads digits is a chain of small computations. This notebook follows one
# handwritten digit through digitnet's reference network, step by step, with plain NumPy:
#
#     x (784 pixels) -> 128 ReLU units -> 64 ReLU units -> 10 logits -> softmax -> probabilities
#
# At each step we print the shape of the array. Then we compute the softmax and the
# cross-entropy loss by hand, and check every result against digitnet's own code.
# The symbols are those of [docs/backprop.md](../backprop.md) and of the code:
# `x`, `W1`, `b1`, `z1`, `h1`, ..., `z3` (the logits), `p` (the probabilities), `L` (the loss).

# %%
import matplotlib.pyplot as plt
import numpy as np

import digitnet as dn
from digitnet.nn import losses, reference

np.set_printoptions(precision=3, suppress=True)

# %% [markdown]
# ## 1. One image
#
# `dn.load_mnist()` returns the 60,000 training and 10,000 test images of MNIST.
# Each image is a row of 28 × 28 = 784 numbers: the pixels, scaled from 0-255 to 0-1.
# The labels are the digits 0 to 9.

# %%
(X_train, y_train), (X_test, y_test) = dn.load_mnist()
print("X_train", X_train.shape, X_train.dtype, " y_train", y_train.shape, y_train.dtype)
print("X_test ", X_test.shape, X_test.dtype, " y_test ", y_test.shape)
print("pixel values from", X_train.min(), "to", X_train.max())
assert X_train.shape == (60000, 784) and X_test.shape == (10000, 784)

# %% [markdown]
# We take the first test image. The network reads it as a flat row of 784 numbers.
# To look at it, we fold the row back into a 28 × 28 square.

# %%
i = 0
image, label = X_test[i], y_test[i]
print("image", image.shape, " label", label)

plt.figure(figsize=(2.5, 2.5))
plt.imshow(image.reshape(28, 28), cmap="gray_r")
plt.title(f"test image {i}: label {label}")
plt.axis("off")
plt.show()

# %% [markdown]
# ## 2. A network that has learned a little
#
# An untrained network gives every digit about the same probability, 1/10, which is
# dull to look at. So we first train the reference network, `dn.MLP()`
# (784 -> 128 -> 64 -> 10, ReLU), for 2 epochs on 10,000 training images.
# It takes about a second. `seed=0` makes the starting weights, and so every number
# below, the same on every run.

# %%
model = dn.MLP([784, 128, 64, 10], seed=0)
model.fit(X_train[:10000], y_train[:10000], epochs=2, verbose=0)
accuracy = model.score(X_test, y_test)
print(f"accuracy on the 10,000 test images: {accuracy:.1%}")
assert accuracy > 0.85

# %% [markdown]
# The network is a list of layers. The `Dense` layers hold the weights: a matrix `W`
# and a vector `b` each, in `layer.params`. The `ReLU` layers have no weights.

# %%
print(model)
for layer in model.layers:
    shapes = {name: array.shape for name, array in layer.params.items()}
    print(f"{type(layer).__name__:6} {shapes}")

# %% [markdown]
# We give the weights the names of the equations. `W1` has shape (784, 128): one row
# per input pixel, one column per unit of the first layer.

# %%
W1, b1 = model.layers[0].params["W"], model.layers[0].params["b"]
W2, b2 = model.layers[2].params["W"], model.layers[2].params["b"]
W3, b3 = model.layers[4].params["W"], model.layers[4].params["b"]
for name, array in [("W1", W1), ("b1", b1), ("W2", W2), ("b2", b2), ("W3", W3), ("b3", b3)]:
    print(f"{name} {str(array.shape):11} {array.dtype}")

# %% [markdown]
# ## 3. The forward pass, one step at a time
#
# digitnet works on **batches**: a batch of N images is a matrix with one image per row.
# Our single image becomes a batch of one, shape (1, 784). `X_test[i : i + 1]` keeps the
# row dimension, where `X_test[i]` would drop it.

# %%
x = X_test[i : i + 1]
print("x ", x.shape)

# %% [markdown]
# **Layer 1: `z1 = x W1 + b1`.** Each of the 128 numbers in `z1` is a weighted sum of all
# 784 pixels, plus a bias. The matrix product does the 128 sums at once.
# Shapes: (1, 784) @ (784, 128) -> (1, 128); `b1` (128,) is added to every row.

# %%
z1 = x @ W1 + b1
print("z1", z1.shape)

# %% [markdown]
# **ReLU: `h1 = max(z1, 0)`.** Negative sums become 0; positive sums pass unchanged.
# Why bother? Without this bend, the three layers would collapse into one matrix
# (exercise 4), and one matrix can only draw straight boundaries between digits.

# %%
h1 = np.maximum(z1, 0)
print("h1", h1.shape)
print(f"{(h1 == 0).sum()} of the 128 units are 0 for this image")

# %%
fig, ax = plt.subplots(figsize=(8, 2.5))
ax.bar(np.arange(128), z1[0], color="lightgray", label="z1 (before ReLU)")
ax.bar(np.arange(128), h1[0], color="tab:blue", label="h1 = max(z1, 0)")
ax.axhline(0, color="black", linewidth=0.5)
ax.set_xlabel("unit of the first layer")
ax.legend()
plt.show()

# %% [markdown]
# **Layer 2 and the output layer** work the same way. The last layer has no ReLU: its
# 10 outputs, the **logits** `z3`, are scores, one per digit, and may be any real number.

# %%
z2 = h1 @ W2 + b2
h2 = np.maximum(z2, 0)
z3 = h2 @ W3 + b3
print("z2", z2.shape, " h2", h2.shape, " z3", z3.shape)
print("logits z3:", z3[0])
print("largest logit: digit", z3.argmax())

# %% [markdown]
# That is the whole forward pass: three matrix products, three additions, two `maximum`s.
# digitnet computes the same thing in `model.forward` (the loop over the layers of
# `nn/network.py`), and its plain reference, `nn/reference.py`, writes it out as we did.
# All three agree:

# %%
logits = model.forward(x)
assert np.allclose(z3, logits, atol=1e-5)
params = [W1, b1, W2, b2, W3, b3]
assert np.allclose(z3, reference.forward(params, x)[0], atol=1e-5)
print("model.forward(x):", logits[0])

# %% [markdown]
# ## 4. Softmax: from scores to probabilities
#
# Logits are not probabilities: some are negative, and they do not sum to 1.
# Softmax fixes both:
#
#     p_j = e^{z_j} / Σ_k e^{z_k}
#
# The exponential makes every score positive, and keeps their order: a larger logit gives
# a larger probability. Dividing by the sum makes the ten numbers sum to 1 (up to rounding:
# in float32 the sum may print as 0.9999999).


# %%
def softmax_naive(z):
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


p = softmax_naive(z3)
print("p", p.shape, " sum", p.sum())
print(p[0])
print(f"the network says {p.argmax()} with probability {p.max():.3f}; the label is {label}")

# %% [markdown]
# **Why digitnet subtracts the maximum first.** `e^z` grows fast. In float64 it overflows
# to infinity above z ≈ 709; in float32, the type of our network, already above z ≈ 88.
# A confident network can produce logits that large. Then the naive softmax divides
# infinity by infinity and returns `nan` ("not a number"). (NumPy would also print an
# "overflow encountered in exp" warning; we silence it with `np.errstate`.)

# %%
big = np.array([[1000.0, 990.0, 0.0]])
with np.errstate(over="ignore", invalid="ignore"):
    print("e^88 in float32:", np.exp(np.float32(88)), "  e^89:", np.exp(np.float32(89)))
    print("naive softmax of", big[0], "->", softmax_naive(big)[0])

# %% [markdown]
# The fix: subtracting the same number c from every logit does not change the result,
#
#     e^{z_j - c} / Σ_k e^{z_k - c} = (e^{-c} e^{z_j}) / (e^{-c} Σ_k e^{z_k}) = p_j
#
# With c = the largest logit, the largest exponent is e^0 = 1: nothing can overflow.
# Small terms may underflow to 0, which is harmless in a sum. This is what
# `nn.losses.softmax` does.


# %%
def softmax_stable(z):
    shifted = z - z.max(axis=1, keepdims=True)  # the largest entry of each row is now 0
    e = np.exp(shifted)
    return e / e.sum(axis=1, keepdims=True)


print("stable softmax of", big[0], "->", softmax_stable(big)[0])
assert np.allclose(softmax_stable(big), losses.softmax(big))
assert np.allclose(softmax_stable(z3), p)  # the same probabilities for ordinary logits

# %% [markdown]
# And our probabilities are digitnet's: `model.predict_proba` runs the forward pass
# and then `losses.softmax`.

# %%
proba = model.predict_proba(x)
assert np.allclose(p, proba, atol=1e-6)
assert model.predict(x)[0] == p.argmax()
print("model.predict_proba(x):", proba[0])


# %%
def show(image, probs, label):
    """The image, and the network's probability for each digit (the label's bar in green)."""
    fig, (left, right) = plt.subplots(1, 2, figsize=(8, 2.5), width_ratios=[1, 2.5])
    left.imshow(image.reshape(28, 28), cmap="gray_r")
    left.set_title(f"label {label}")
    left.axis("off")
    colors = ["tab:green" if digit == label else "tab:gray" for digit in range(10)]
    right.bar(range(10), probs, color=colors)
    right.set_xticks(range(10))
    right.set_ylim(0, 1)
    right.set_xlabel("digit")
    right.set_ylabel("probability")
    right.set_title(f"network: {probs.argmax()} ({probs.max():.0%})")
    plt.show()


show(image, p[0], label)

# %% [markdown]
# Most images are this clear-cut, but not all. Among the first 1,000 test images, here is
# the one where the network is least sure: its largest probability is the smallest.
# (After 2 short epochs the network still has much to learn.)

# %%
probs_1000 = model.predict_proba(X_test[:1000])
unsure = probs_1000.max(axis=1).argmin()
top_three = probs_1000[unsure].argsort()[::-1][:3]
print(f"test image {unsure}, label {y_test[unsure]}")
for digit in top_three:
    print(f"  digit {digit}: probability {probs_1000[unsure, digit]:.2f}")
show(X_test[unsure], probs_1000[unsure], y_test[unsure])

# %% [markdown]
# ## 5. The loss: how wrong is the network?
#
# Training needs one number that says how bad the answer is. For an image with label y,
# the **cross-entropy** loss is
#
#     ℓ = -log p_y
#
# only the probability given to the right digit counts. If p_y = 1, ℓ = 0: perfect.
# As p_y goes to 0, ℓ grows without limit: a confident wrong answer costs a lot.

# %%
loss_by_hand = -np.log(p[0, label])
print(f"p[label] = {p[0, label]:.4f}   loss = -log p[label] = {loss_by_hand:.4f}")

# %%
q = np.linspace(0.01, 1, 200)
fig, ax = plt.subplots(figsize=(4.5, 2.5))
ax.plot(q, -np.log(q))
ax.plot(p[0, label], loss_by_hand, "o", label=f"test image {i}")
p_unsure = probs_1000[unsure, y_test[unsure]]
ax.plot(p_unsure, -np.log(p_unsure), "o", label=f"test image {unsure} (unsure)")
ax.set_xlabel("probability of the right digit, p_y")
ax.set_ylabel("loss -log p_y")
ax.legend()
plt.show()

# %% [markdown]
# **Why digitnet never takes `log(p)`.** A probability can underflow to exactly 0 (a wrong
# digit with a logit far below the others), and `log(0)` is `-inf`. So digitnet computes
# the log of the probability directly, from the shifted logits (`nn.losses.log_softmax`):
#
#     log p_y = (z_y - c) - log Σ_k e^{z_k - c}
#
# The sum is at least 1 (one of its terms is e^0), so its log is always finite.
# Take `big` again, and pretend its label were the digit whose logit is 0, a thousand
# below the largest: p_y underflows to 0, yet log_softmax gives the true loss, about 1000.

# %%
wrong_label = 2  # the entry of `big` whose logit is 0
with np.errstate(divide="ignore"):
    print("p[y]            =", softmax_stable(big)[0, wrong_label])
    print("-log(p[y])      =", -np.log(softmax_stable(big)[0, wrong_label]))
print(f"-log_softmax[y] = {-losses.log_softmax(big)[0, wrong_label]:.4f}")

# %% [markdown]
# For a batch of N images, the loss is the mean over the batch:
#
#     L = -(1/N) Σ_n log p[n, y_n]
#
# Here is a batch of 8 test images. Each row of `p_batch` is one image's probabilities;
# `p_batch[np.arange(N), y_batch]` picks, in each row, the probability of that row's label.

# %%
x_batch, y_batch = X_test[:8], y_test[:8]
N = len(x_batch)
z_batch = np.maximum(np.maximum(x_batch @ W1 + b1, 0) @ W2 + b2, 0) @ W3 + b3
p_batch = softmax_stable(z_batch)
print("p_batch", p_batch.shape, " labels", y_batch)
print("p of each label:", p_batch[np.arange(N), y_batch])
L = -np.log(p_batch[np.arange(N), y_batch]).mean()
print(f"L = {L:.5f}")

# %% [markdown]
# digitnet computes this loss in three places, and all agree with ours:
# - `model.loss`, a `SoftmaxCrossEntropy` object, whose `forward(logits, labels)` is the mean
#   loss of a training step (it also keeps `p` for the backward pass, the next notebook);
# - `losses.cross_entropy_sum`, the sum over a batch, which evaluation divides by N;
# - `model.evaluate`, which returns the loss and the accuracy.

# %%
logits_batch = model.forward(x_batch)
print(f"model.loss.forward:         {model.loss.forward(logits_batch, y_batch):.5f}")
print(f"losses.cross_entropy_sum/N: {losses.cross_entropy_sum(logits_batch, y_batch) / N:.5f}")
print(f"model.evaluate:             {model.evaluate(x_batch, y_batch)['loss']:.5f}")
assert np.isclose(L, model.loss.forward(logits_batch, y_batch), rtol=1e-4)
assert np.isclose(L, losses.cross_entropy_sum(logits_batch, y_batch) / N, rtol=1e-4)
assert np.isclose(L, model.evaluate(x_batch, y_batch)["loss"], rtol=1e-4)
assert np.allclose(model.loss.probs, p_batch, atol=1e-6)

# %% [markdown]
# ## Summary
#
# | step | formula | shape for N images | digitnet |
# |---|---|---|---|
# | input | x = pixels / 255 | (N, 784) | `nn.inputs.as_input` |
# | layer 1 | z1 = x W1 + b1, h1 = max(z1, 0) | (N, 128) | `Dense`, `ReLU` |
# | layer 2 | z2 = h1 W2 + b2, h2 = max(z2, 0) | (N, 64) | `Dense`, `ReLU` |
# | output | z3 = h2 W3 + b3 (the logits) | (N, 10) | `Dense`, `model.forward` |
# | softmax | p = e^{z - max} / Σ e^{z - max} | (N, 10) | `losses.softmax`, `model.predict_proba` |
# | loss | L = -(1/N) Σ_n log p[n, y_n] | a number | `losses.log_softmax`, `model.loss` |
#
# Next: [02_backpropagation_by_hand](02_backpropagation_by_hand.ipynb) runs this chain
# backwards, to find how each weight should change to lower L.
#
# ## Exercises
#
# **1.** How many numbers (weights and biases) does the network learn? Count them from the
# shapes, then check with `model.parameters()`.
#
# <details><summary>Answer</summary>
#
# Each dense layer has fan_in × fan_out weights and fan_out biases:
# 784·128 + 128 + 128·64 + 64 + 64·10 + 10 = 100,352 + 128 + 8,192 + 64 + 640 + 10 = **109,386**.
#
# ```python
# print(sum(array.size for array in model.parameters().values()))  # 109386
# ```
# Almost all of them (92%) are in `W1`: one weight per pixel per first-layer unit.
# </details>
#
# **2.** Before training, the loss of `dn.MLP(seed=0)` on the test images is about 2.37.
# Why is that close to log 10 ≈ 2.30?
#
# <details><summary>Answer</summary>
#
# The starting weights are small and random, so the logits are small and close to each
# other, and softmax gives each digit about 1/10. Then the loss of every image is about
# -log(1/10) = log 10 ≈ 2.303. It is a useful check at the start of any training run:
# a first loss far from log(number of classes) suggests a bug in the data or the model.
#
# ```python
# untrained = dn.MLP(seed=0)
# print(untrained.evaluate(X_test, y_test)["loss"], np.log(10))  # 2.367 2.303
# ```
# </details>
#
# **3.** Add 5 to every logit of our image. What happens to the probabilities? And if you
# multiply every logit by 2?
#
# <details><summary>Answer</summary>
#
# Adding a constant changes nothing: it is the same fact that makes subtracting the maximum
# safe. Multiplying by 2 keeps the order, so the predicted digit stays the same, but the
# probabilities become sharper: the largest grows, the others shrink (dividing by a
# "temperature" T > 1 does the opposite).
#
# ```python
# print(np.allclose(softmax_stable(z3 + 5), softmax_stable(z3)))  # True
# print(softmax_stable(z3)[0].max(), softmax_stable(2 * z3)[0].max())  # 0.9951 0.99999
# ```
# </details>
#
# **4.** Remove the two ReLUs. Show that the network becomes a single dense layer
# `x W + b`, and find `W` and `b`.
#
# <details><summary>Answer</summary>
#
# Without ReLU, z3 = ((x W1 + b1) W2 + b2) W3 + b3 = x (W1 W2 W3) + ((b1 W2 + b2) W3 + b3).
# So W = W1 W2 W3, of shape (784, 10), and b = (b1 W2 + b2) W3 + b3, of shape (10,).
# Stacking linear layers adds no power: the result is a linear classifier, which
# reaches about 92% on MNIST, whatever the number of layers.
#
# ```python
# W, b = W1 @ W2 @ W3, (b1 @ W2 + b2) @ W3 + b3
# no_relu = ((x @ W1 + b1) @ W2 + b2) @ W3 + b3
# print(np.allclose(no_relu, x @ W + b, atol=1e-4))  # True
# ```
# </details>
