# %% [markdown]
# # Write your own parts, and have them checked
#
# Reading a backward pass is not the same as writing one. In this notebook you write the first
# parts of a network yourself, the way `digitnet learn` hands them out: a file per exercise with
# the signature, a docstring saying what to compute, and a body that raises
# `NotImplementedError`. After each try, the check runs your code on several inputs and edge
# cases, compares every tensor with digitnet's answer, checks your backward against central
# differences of your own forward, and, when your answer is a mistake that learners often make,
# names it. It never shows digitnet's code.
#
# We will
# 1. write the exercises' files into a folder, and look at the first one;
# 2. write ReLU with a classic bug, see the check fail and name it, then fix it;
# 3. do the same for a dense layer's backward and for softmax;
# 4. train the reference network with our own parts in place of digitnet's.
#
# The same works from a terminal: `digitnet learn start`, then `digitnet learn check relu`
# ([docs/learn.md](../learn.md)).

# %%
import os
import tempfile
from pathlib import Path

import digitnet as dn
from digitnet import learn
from digitnet.app.cli import main

# A fresh folder for this notebook's files, so that nothing of yours is touched
os.chdir(tempfile.mkdtemp())
folder = Path("digitnet-exercises")
for written in learn.start(folder):
    print(written.action, written.path)

# %% [markdown]
# ## 1. The first exercise
#
# Every file says what to compute, the shapes, the section of
# [backprop.md](../backprop.md) to read, and how to check it.

# %%
print((folder / "01_relu.py").read_text())

# %% [markdown]
# Checking it now says it is not written yet. `check` runs what `digitnet learn check relu`
# runs and prints what it prints; its exit status is 0 only when the exercise passes.


# %%
def check(name: str) -> None:
    """Check one exercise of our folder, as `digitnet learn check NAME` does."""
    print("exit status", main(["learn", "check", name]))


check("relu")

# %% [markdown]
# ## 2. ReLU, with a bug
#
# y = max(x, 0) is easy. The classic bug is in the backward: passing `grad_out` back unchanged,
# forgetting that ReLU's slope is 0 where the unit was off. A network with this bug still
# trains, a bit, which is why it is hard to notice.

# %%
(folder / "01_relu.py").write_text("""
import numpy as np


def relu(x):
    return np.maximum(x, 0)


def relu_backward(x, grad_out):
    return grad_out  # the bug: the derivative of max(x, 0) is missing
""")
check("relu")

# %% [markdown]
# Read the table from the top. `relu(x)` is exact on every case. `relu_backward` is not close,
# and its worst case is named. The second table compares our backward with central
# differences of *our own* forward: it fails too, so the backward is what is wrong, not the
# forward. The check then recognises the mistake by running the known wrong versions on the
# same inputs, and shows the tiny case where it goes wrong: where x was negative or zero, the
# gradient should have been 0.
#
# The fix is one factor, the slope of max(x, 0):

# %%
(folder / "01_relu.py").write_text("""
import numpy as np


def relu(x):
    return np.maximum(x, 0)


def relu_backward(x, grad_out):
    return grad_out * (x > 0)
""")
check("relu")

# %% [markdown]
# ## 3. A dense layer, and softmax
#
# The dense layer z = x W + b has three gradients. The bias is added to every row of the batch,
# so its gradient sums `grad_out` over the rows, axis 0. Summing over axis 1 is the second
# classic bug: the shapes often look right in a hurry.

# %%
(folder / "03_dense.py").write_text("""
def dense_forward(x, W, b):
    return x @ W + b


def dense_backward(x, W, grad_out):
    return grad_out @ W.T, x.T @ grad_out, grad_out.sum(axis=1)  # axis 1: the bug
""")
check("dense")

# %% [markdown]
# Here the shapes differ on most cases, and the check says so in the table's last column. With
# `axis=0` it passes:

# %%
text = (folder / "03_dense.py").read_text()
(folder / "03_dense.py").write_text(text.replace("axis=1)  # axis 1: the bug", "axis=0)"))
check("dense")

# %% [markdown]
# The softmax with cross-entropy as most textbooks write it, `exp(z) / sum(exp(z))`, is right
# on ordinary logits. The check also tries logits of 1000, where `exp` overflows:

# %%
(folder / "02_softmax_cross_entropy.py").write_text("""
import numpy as np


def softmax_cross_entropy(logits, labels):
    n = len(labels)
    probs = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    loss = -np.log(probs[np.arange(n), labels]).mean()
    grad = probs.copy()
    grad[np.arange(n), labels] -= 1
    return loss, grad / n
""")
check("softmax_cross_entropy")

# %% [markdown]
# Subtracting each row's largest logit first changes nothing in the probabilities, and no `exp`
# can overflow any more (notebook 1 shows why):

# %%
text = (folder / "02_softmax_cross_entropy.py").read_text()
shift = "    logits = logits - logits.max(axis=1, keepdims=True)\n"
text = text.replace("    probs = np.exp(logits)", shift + "    probs = np.exp(logits)")
(folder / "02_softmax_cross_entropy.py").write_text(text)
check("softmax_cross_entropy")

# %% [markdown]
# Closer: the gradient is right everywhere now, but the loss of the huge logits is `inf`. In the
# second row the label's logit is 900 below the largest, so its probability, e^-900, rounds to
# exactly 0, and -log(0) is infinite, where the true loss is a finite 900. The cure is to never
# form that probability: -log p[label] = log(sum_k e^(z_k)) - z_label, with z already shifted,
# so the sum is at least 1 and its log is finite.

# %%
text = (folder / "02_softmax_cross_entropy.py").read_text()
old = "    loss = -np.log(probs[np.arange(n), labels]).mean()"
new = "    loss = (np.log(np.exp(logits).sum(axis=1)) - logits[np.arange(n), labels]).mean()"
(folder / "02_softmax_cross_entropy.py").write_text(text.replace(old, new))
check("softmax_cross_entropy")

# %% [markdown]
# ## 4. Train with your parts
#
# `digitnet train --parts digitnet-exercises` trains with every part written in the folder in
# place of digitnet's. Here from Python, on 10,000 images for two epochs: our ReLU, dense layers
# and loss, and digitnet's Adam (we have not written ours).

# %%
(X_train, y_train), (X_test, y_test) = dn.load_mnist(dtype="uint8")
X, y = X_train[:10000], y_train[:10000]

ours = dn.MLP(seed=0)
parts = learn.parts.load_parts(folder)
print("replaced:", learn.parts.use_parts(ours, parts))
ours.fit(X, y, epochs=2, optimizer=dn.Adam(lr=1e-3), verbose=0)

digitnets = dn.MLP(seed=0)
digitnets.fit(X, y, epochs=2, optimizer=dn.Adam(lr=1e-3), verbose=0)
print(f"with our parts:      {ours.evaluate(X_test, y_test)['accuracy']:.2%}")
print(f"with digitnet's own: {digitnets.evaluate(X_test, y_test)['accuracy']:.2%}")

# %% [markdown]
# The same accuracy, to within rounding: our parts compute the same numbers. Put the bug of
# section 2 back into `relu_backward` and run this cell again to see what a wrong backward costs.
#
# ## Exercises
#
# **1.** Write the plain gradient descent step, `04_gradient_descent.py`, and check it. Then
# write it as `p = p - lr * g` inside the loop. What does the check say, and why does it matter
# for training?
#
# <details><summary>Answer</summary>
#
# ```python
# def sgd_step(params, grads, lr):
#     for p, g in zip(params, grads):
#         p -= lr * g
# ```
#
# passes. With `p = p - lr * g` the check names the mistake "the parameters are rebound, not
# updated in place": `p - lr * g` is a new array, and the name `p` now points at it, while the
# network still holds the old array, which never changes. A network trained with it stays where
# it started.
# </details>
#
# **2.** Write ReLU's backward with `x >= 0` instead of `x > 0`. The two differ only where x is
# exactly 0. Does the check notice, and does it matter?
#
# <details><summary>Answer</summary>
#
# It does: one of the cases has exact zeros, and the check names "the derivative at exactly 0
# is taken as 1". ReLU has no derivative at 0, so any value there is a convention; digitnet, like
# PyTorch, takes 0. In training it matters little (inputs are rarely exactly 0), but a unit whose
# input is exactly 0, such as a conv output over a blank background with a zero bias, would pass
# a gradient it should not.
# </details>
#
# **3.** Write the dense layer with `np.einsum` instead of `@` and `.sum`. Does it still pass?
#
# <details><summary>Answer</summary>
#
# ```python
# import numpy as np
#
# def dense_forward(x, W, b):
#     return np.einsum("nd,de->ne", x, W) + b
#
# def dense_backward(x, W, grad_out):
#     return (np.einsum("ne,de->nd", grad_out, W), np.einsum("nd,ne->de", x, grad_out),
#             np.einsum("ne->e", grad_out))
# ```
#
# It passes: the check compares what the functions return, never how they compute it.
# </details>
