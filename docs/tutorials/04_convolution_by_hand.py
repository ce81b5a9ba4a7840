# %% [markdown]
# # 4. Convolution by hand
#
# A convolutional network (CNN) reads an image with small filters that slide over it.
# In this notebook you will:
#
# 1. slide a 5x5 filter over a digit with two plain Python loops, and see what it finds;
# 2. compute the same thing the way digitnet does: copy every patch into one matrix (*im2col*)
#    and do a single matrix product;
# 3. train a small CNN in a few seconds and look at what its filters make of a digit;
# 4. find out why a CNN still reads a digit that has moved a few pixels, where a plain network
#    (an MLP) gives up, and where the CNN gives up too.
#
# The derivations behind each step are in
# [`docs/backprop.md`](../backprop.md), sections 8 to 12. Run the cells from top to bottom.

# %%
import matplotlib.pyplot as plt
import numpy as np

import digitnet as dn
from digitnet.nn.conv import im2col
from digitnet.nn.spec import build_layers

(X_train, y_train), (X_test, y_test) = dn.load_mnist(dtype="uint8")  # pixels 0..255
print("training images:", X_train.shape, " test images:", X_test.shape)

# %% [markdown]
# Each image is a row of 784 pixels. For convolutions we want it as a 28x28 picture, with values
# from 0 (no ink) to 1 (full ink). Test image 4 is a 4, a digit with strong vertical strokes.

# %%
digit = X_test[4].reshape(28, 28) / 255.0
print("label:", y_test[4], " shape:", digit.shape, " values from", digit.min(), "to", digit.max())

# %% [markdown]
# ## 1. A filter slides over the digit
#
# A filter (or *kernel*) is a small grid of weights. Here is a 5x5 **vertical-edge filter**:
# -1 on its two left columns, +1 on its two right columns, 0 in the middle.
#
# Put it on a 5x5 patch of the image, multiply weight by pixel, add up the 25 products: that is
# the filter's *response* at that place. The response is large when the patch has ink on its
# right and none on its left, which is exactly what the left edge of a vertical stroke looks like.
# Horizontal strokes have as much ink on the left as on the right, so they give about zero.
#
# We divide by 10 so that the response stays between -1 and +1.

# %%
vertical_edge = np.array([[-1, -1, 0, 1, 1]] * 5) / 10
print(vertical_edge)

# %% [markdown]
# Now slide it: for every position where the 5x5 window fits inside the 28x28 image, take the
# patch and the dot product. The window fits at 28 - 5 + 1 = 24 positions in each direction, so
# the result (a *feature map*) is 24x24.


# %%
def correlate_loops(image, kernel):
    """Slide `kernel` over `image` (no padding, step 1): one dot product per position."""
    k = kernel.shape[0]
    H_out = image.shape[0] - k + 1
    W_out = image.shape[1] - k + 1
    out = np.zeros((H_out, W_out))
    for i in range(H_out):
        for j in range(W_out):
            patch = image[i : i + k, j : j + k]  # top-left corner at (i, j)
            out[i, j] = np.sum(patch * kernel)
    return out


edges = correlate_loops(digit, vertical_edge)
print("feature map:", edges.shape, " from", edges.min().round(2), "to", edges.max().round(2))

# %% [markdown]
# Let us draw it, beside the same with the filter turned on its side (a horizontal-edge filter).
# Red is positive, blue negative, white zero.

# %%
horizontal_edge = vertical_edge.T
maps = [edges, correlate_loops(digit, horizontal_edge)]

fig, axes = plt.subplots(1, 5, figsize=(13, 2.8))
axes[0].imshow(digit, cmap="gray_r")
axes[0].set_title("the digit (28x28)")
for ax, kernel, name in zip(axes[1:4:2], [vertical_edge, horizontal_edge], ["vertical", "horiz."]):
    ax.imshow(kernel, cmap="RdBu_r", vmin=-0.1, vmax=0.1)
    ax.set_title(f"{name}-edge filter (5x5)")
for ax, feature_map in zip(axes[2:5:2], maps):
    ax.imshow(feature_map, cmap="RdBu_r", vmin=-1, vmax=1)
    ax.set_title("its feature map (24x24)")
for ax in axes:
    ax.set_xticks([])
    ax.set_yticks([])
plt.show()

# %% [markdown]
# The vertical-edge filter lights up the two upright strokes of the 4: red along their left
# edges (ink starts), blue along their right edges (ink ends). The crossbar hardly shows. The
# horizontal-edge filter does the opposite: it finds the top and bottom edges of the crossbar.
#
# The map is 4 pixels smaller than the digit, and shifted by 2: position (i, j) of the map is the
# patch whose top-left corner is pixel (i, j), so its centre is pixel (i + 2, j + 2).
#
# **A note on the name.** The loop above does not flip the kernel, so mathematically it is a
# *cross-correlation*; a textbook convolution would flip the kernel first. Every deep-learning
# library (PyTorch, TensorFlow, digitnet) computes the cross-correlation and calls it
# convolution. Since the network learns its kernels, the flip makes no difference: it would
# simply learn them flipped.

# %% [markdown]
# ## 2. im2col: every patch in one matrix
#
# The loop does 576 small dot products, one Python step each. Python loops are slow, and a
# network computes thousands of maps for every batch. The trick digitnet uses (and which many
# libraries use) is **im2col** ("image to columns"):
#
# 1. copy every patch into a column of one matrix, `cols`;
# 2. flatten the kernel into a row;
# 3. one matrix product `row @ cols` computes every dot product at once.
#
# Let us see it on an image small enough to print: 4x4 pixels numbered 1 to 16, and a 2x2 kernel.
# A 2x2 window fits at 3 x 3 = 9 positions, so `cols` has 9 columns (one per position) and
# 4 rows (one per kernel entry).

# %%
tiny = np.arange(1, 17, dtype=np.float64).reshape(4, 4)
kernel = np.array([[1.0, 2.0], [3.0, 4.0]])
print("image:\n", tiny)
print("kernel:\n", kernel)

# %% [markdown]
# `digitnet.nn.conv.im2col` works on batches: `x` has shape (images, channels, height, width),
# and it writes into an `out` array that we make for it, of shape
# (images, channels x k x k, positions).

# %%
cols = np.empty((1, 4, 9))
im2col(tiny.reshape(1, 1, 4, 4), kernel_size=2, stride=1, out=cols)
cols = cols[0]  # our one image: (4, 9)

positions = [(i, j) for i in range(3) for j in range(3)]
print("position (i, j):  " + " ".join(f"({i},{j})" for i, j in positions))
for row, (ki, kj) in enumerate([(0, 0), (0, 1), (1, 0), (1, 1)]):
    print(f"kernel ({ki},{kj}) row: " + " ".join(f"{v:5.0f}" for v in cols[row]))

# %% [markdown]
# Read it column by column. Column (0,0) is 1, 2, 5, 6: the top-left 2x2 patch, read row by row.
# Column (1,2) is 7, 8, 11, 12: the patch whose top-left corner is row 1, column 2.
# Read it row by row, and row "kernel (0,0)" holds the pixel under the kernel's top-left entry
# at every position.
#
# A picture of the same thing: the patch at position (1,2) on the image, and the column it
# becomes.

# %%
fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.2), gridspec_kw={"width_ratios": [4, 9]})
left.imshow(tiny, cmap="Greys", vmin=0, vmax=40)
right.imshow(cols, cmap="Greys", vmin=0, vmax=40)
for ax, grid in [(left, tiny), (right, cols)]:
    for (r, c), value in np.ndenumerate(grid):
        ax.text(c, r, f"{value:.0f}", ha="center", va="center")
    ax.set_xticks([])
    ax.set_yticks([])
left.add_patch(plt.Rectangle((1.5, 0.5), 2, 2, fill=False, color="red", lw=3))
right.add_patch(plt.Rectangle((4.5, -0.5), 1, 4, fill=False, color="red", lw=3))
left.set_title("the 4x4 image:\nthe patch at position (1,2)")
right.set_title("cols (4 x 9), one column per position:\nthe column of position (1,2)")
right.set_xticks(range(9), [f"({i},{j})" for i, j in positions], fontsize=8)
right.set_yticks(range(4), ["k(0,0)", "k(0,1)", "k(1,0)", "k(1,1)"], fontsize=8)
plt.show()

# %% [markdown]
# Now the whole convolution is one matrix product: the kernel as a row of 4 (1 x 4) times
# `cols` (4 x 9) gives 9 numbers, one per position; reshaped to 3x3, that is the feature map.
# Check the first one by hand: 1·1 + 2·2 + 5·3 + 6·4 = 44.

# %%
by_im2col = (kernel.reshape(1, 4) @ cols).reshape(3, 3)
by_loops = correlate_loops(tiny, kernel)
print("im2col and one product:\n", by_im2col)
print("the loops:\n", by_loops)
assert by_im2col[0, 0] == 1 * 1 + 2 * 2 + 5 * 3 + 6 * 4
assert np.allclose(by_im2col, by_loops)

# %% [markdown]
# And digitnet's convolution layer, `dn.Conv2D`, gives the same, once we give it our kernel.
# A layer creates its weights in `build` (normally `dn.Sequential` calls it); we then overwrite
# them. Its weights `W` have shape (output channels, input channels, k, k), as in PyTorch.

# %%
conv = dn.Conv2D(in_channels=1, out_channels=1, kernel_size=2)
conv.build(np.random.default_rng(0), "float64")
conv.params["W"][0, 0] = kernel
conv.params["b"][:] = 0.0
by_layer = conv.forward(tiny.reshape(1, 1, 4, 4))  # (images, channels, 3, 3)
print(by_layer[0, 0])
assert np.allclose(by_layer[0, 0], by_loops)

# %% [markdown]
# The same three ways on the real digit with the 5x5 vertical-edge filter: `cols` now has
# 25 rows (one per kernel entry) and 24 x 24 = 576 columns (one per position).

# %%
cols_digit = np.empty((1, 25, 576))
im2col(digit.reshape(1, 1, 28, 28), kernel_size=5, stride=1, out=cols_digit)
edges_im2col = (vertical_edge.reshape(1, 25) @ cols_digit[0]).reshape(24, 24)

conv5 = dn.Conv2D(1, 1, kernel_size=5)
conv5.build(np.random.default_rng(0), "float64")
conv5.params["W"][0, 0] = vertical_edge
conv5.params["b"][:] = 0.0
edges_layer = conv5.forward(digit.reshape(1, 1, 28, 28))[0, 0]

assert np.allclose(edges_im2col, edges)  # the loops' feature map of section 1
assert np.allclose(edges_layer, edges)
print("patch matrix:", cols_digit[0].shape, f"= {cols_digit[0].size:,} numbers,")
print(f"{cols_digit[0].size / digit.size:.0f} times as many as the image's {digit.size} pixels")

# %% [markdown]
# All three agree. The price of im2col is memory: each pixel is copied into up to 25 columns,
# so `cols` holds about 18 times as many numbers as the image (25 times for the inner pixels;
# fewer at the border, which fewer windows cover). The gain is speed: one matrix product runs in
# optimised code (BLAS) near the processor's peak, instead of 576 trips through the Python
# interpreter. With many filters, the kernels become the rows of one matrix
# (filters x 25), and a single product computes every filter's map. digitnet's loop version,
# kept as the tests' reference, is `digitnet/nn/reference_conv.py`.

# %% [markdown]
# ## 3. A small CNN and its feature maps
#
# Nobody designs the filters of a real CNN by hand: the network learns them. Here is a small
# one, written the way `digitnet train --layers` reads it:
#
# - `conv 8 5`: 8 filters of 5x5, so 8 feature maps of 24x24;
# - `relu`: negative responses become 0;
# - `maxpool 2`: each 2x2 block of a map is replaced by its largest value (12x12 maps);
# - `dense 64, relu`: an ordinary hidden layer on the 8 x 12 x 12 = 1,152 numbers;
# - a final dense layer to the 10 digits is added automatically.

# %%
cnn = dn.Sequential(
    build_layers("conv 8 5, relu, maxpool 2, dense 64, relu", (1, 28, 28)),
    input_shape=(1, 28, 28),
    seed=0,
)
shape = cnn.input_shape
print(f"{'input':>10}  {shape}")
for layer in cnn.layers:
    shape = layer.output_shape(shape)
    weights = sum(p.size for p in layer.params.values())
    print(f"{layer.type_name:>10}  {shape}" + (f"  {weights:,} weights" if weights else ""))

# %% [markdown]
# The 8 filters have only 208 weights between them (8 x 25, plus 8 biases), because each filter
# is used at every position. Most of the weights sit in the dense layer.
#
# We train it on 10,000 training images for 2 epochs (2 passes over them), which takes a few
# seconds. The full set and more epochs would do better; we only need a network that works.

# %%
rng = np.random.default_rng(0)
subset = rng.choice(len(X_train), size=10_000, replace=False)
X_small, y_small = X_train[subset], y_train[subset]

EPOCHS, LR = 2, 0.002
cnn.fit(X_small, y_small, epochs=EPOCHS, optimizer=dn.Adam(lr=LR), verbose=0)
cnn_accuracy = cnn.score(X_test, y_test)
print(f"CNN test accuracy: {cnn_accuracy:.2%}")
assert cnn_accuracy > 0.9

# %% [markdown]
# What did its 8 filters learn, and what do they make of our 4? `model.forward` with a list as
# `activations` collects the output of every activation layer; the first one is the 8 feature
# maps after the ReLU, shape (1, 8, 24, 24).

# %%
W, b = cnn.layers[0].params["W"], cnn.layers[0].params["b"]  # (8, 1, 5, 5) and (8,)
activations = []
cnn.forward(digit.reshape(1, 1, 28, 28).astype(np.float32), activations=activations)
feature_maps = activations[0][0]  # (8, 24, 24)
print("filters:", W.shape, " feature maps:", feature_maps.shape)

fig, axes = plt.subplots(2, 8, figsize=(13, 3.8))
limit = np.abs(W).max()
for k in range(8):
    axes[0, k].imshow(W[k, 0], cmap="RdBu_r", vmin=-limit, vmax=limit)
    axes[0, k].set_title(f"filter {k}")
    axes[1, k].imshow(feature_maps[k], cmap="gray", vmin=0)  # black 0, white the map's largest
    axes[1, k].set_title(f"map {k} (max {feature_maps[k].max():.1f})", fontsize=9)
for ax in axes.ravel():
    ax.set_xticks([])
    ax.set_yticks([])
fig.suptitle("top: the learned 5x5 filters (red +, blue -); bottom: their feature maps of the 4")
plt.show()

# %% [markdown]
# Each map is drawn on its own grey scale, black 0 and white its largest value (written above
# it), so that its shape shows whatever its strength.
#
# After only 2 epochs the filters are rough: they still carry the speckle of their random start.
# But each map keeps different parts of the 4. A filter that is mostly red, a blurry "ink here"
# detector, keeps the whole digit; a filter with red on one side and blue on the other is an
# edge detector, like ours, at some angle, and its map keeps only the strokes that run that way
# (the crossbar in some maps, the upright strokes in others), or only one edge of a stroke.
# The ReLU has set every negative response to 0 (black). The next layers combine these maps
# into a decision.
#
# A learned map is still just our loop: correlate the digit with the filter, add the bias,
# apply the ReLU.

# %%
by_hand = np.maximum(correlate_loops(digit, W[0, 0]) + b[0], 0)
assert np.allclose(by_hand, feature_maps[0], atol=1e-5)
print(
    "map 0 recomputed with the loops: the same (largest difference "
    f"{np.abs(by_hand - feature_maps[0]).max():.1e}, float32 rounding)"
)

# %% [markdown]
# ## 4. Shifted digits: why a CNN reads them, and where it stops
#
# MNIST's digits are centred: every digit's centre of mass sits at about pixel (14, 14). What
# happens when a digit sits a few pixels to the right? We move every test digit 0 to 6 pixels
# right (the empty columns on the left filled with 0). At 5-6 pixels some wide digits lose a
# column or two of their right edge (2.6% of all the ink, at 6 pixels); the rest stay whole.


# %%
def shift_right(images, d):
    """Images (n, 28, 28) moved d pixels to the right; the new columns on the left are 0."""
    shifted = np.zeros_like(images)
    shifted[:, :, d:] = images[:, :, : 28 - d]
    return shifted


test_images = X_test.reshape(-1, 28, 28)
SHIFTS = range(7)

fig, axes = plt.subplots(1, 7, figsize=(10, 1.8))
for ax, d in zip(axes, SHIFTS):
    ax.imshow(shift_right(test_images[4:5], d)[0], cmap="gray_r")
    ax.set_title(f"{d} px")
    ax.set_xticks([])  # keep the frame: it shows where the 28x28 field ends
    ax.set_yticks([])
plt.show()

# %% [markdown]
# **The convolution moves with the digit.** The same filter is used at every position, so if the
# digit moves 3 pixels right, its feature maps move 3 pixels right, and are otherwise the same.
# (Mathematicians call this *equivariance*.) We check it on the learned filters: the maps of the
# shifted 4, from column 3 on, equal the maps of the original 4.

# %%
moved = shift_right(test_images[4:5], 3).reshape(1, 1, 28, 28) / 255.0
activations_moved = []
cnn.forward(moved.astype(np.float32), activations=activations_moved)
maps_moved = activations_moved[0][0]  # (8, 24, 24)
assert np.allclose(maps_moved[:, :, 3:], feature_maps[:, :, :21], atol=1e-6)
print("feature maps of the 4 moved by 3 pixels = the maps of the 4, moved by 3 pixels")

# %% [markdown]
# So the filters find the strokes wherever they are. Now let us compare with an MLP: the
# default 784-128-64-10 network, trained on the same 10,000 images, for the same epochs, with
# the same optimizer. Before training we keep a copy of its first-layer weights, to see later
# which of them moved.

# %%
mlp = dn.MLP(seed=0)
W1_start = mlp.parameters()["0.W"].copy()  # (784, 128): a row of weights per pixel
mlp.fit(X_small, y_small, epochs=EPOCHS, optimizer=dn.Adam(lr=LR), verbose=0)
print(f"MLP test accuracy: {mlp.score(X_test, y_test):.2%}")

# %% [markdown]
# To see whether *more* pooling helps, a third network: two conv-and-pool stages, so that each
# number the dense layer reads summarises a larger part of the image.

# %%
cnn2 = dn.Sequential(
    build_layers(
        "conv 8 5, relu, maxpool 2, conv 16 5, relu, maxpool 2, dense 64, relu", (1, 28, 28)
    ),
    input_shape=(1, 28, 28),
    seed=0,
)
cnn2.fit(X_small, y_small, epochs=EPOCHS, optimizer=dn.Adam(lr=LR), verbose=0)
print(f"two-stage CNN test accuracy: {cnn2.score(X_test, y_test):.2%}")

# %% [markdown]
# Now the test: the accuracy of each network on all 10,000 test digits, shifted by 0 to 6 pixels.

# %%
models = {"MLP (784-128-64-10)": mlp, "CNN (conv 8 5, pool)": cnn, "CNN, two conv+pool": cnn2}
accuracy = {name: [] for name in models}
for d in SHIFTS:
    shifted = shift_right(test_images, d)
    for name, model in models.items():
        accuracy[name].append(model.score(shifted.reshape(-1, *model.input_shape), y_test))

print("shift (px): " + "".join(f"{d:>7}" for d in SHIFTS))
for name, values in accuracy.items():
    print(f"{name:<22}" + "".join(f"{a:>7.1%}" for a in values))

# %%
fig, ax = plt.subplots(figsize=(7, 4))
for name, values in accuracy.items():
    ax.plot(list(SHIFTS), values, marker="o", label=name)
ax.axhline(0.1, color="gray", ls=":", label="guessing (10%)")
ax.set_xlabel("shift to the right (pixels)")
ax.set_ylabel("test accuracy")
ax.set_ylim(0, 1)
ax.grid(alpha=0.3)
ax.legend()
ax.set_title("the same test digits, moved right")
plt.show()

# %% [markdown]
# All three read centred digits about equally well (93% to 95%). At 1 pixel the MLP already
# loses about 5 points, the CNNs about 3; from 2 pixels on every network falls, but the CNNs stay
# ahead, and the CNN with two pooling stages keeps the most.

# %%
mlp_acc, cnn_acc, cnn2_acc = (np.array(v) for v in accuracy.values())
for name, values in [("MLP", mlp_acc), ("CNN", cnn_acc), ("two-stage CNN", cnn2_acc)]:
    print(
        f"{name}: {100 * (values[0] - values[1]):.1f} points lost at 1 pixel, "
        f"{100 * (values[0] - values[3]):.1f} at 3 pixels"
    )
assert cnn_acc[0] > mlp_acc[0] - 0.02  # about equal on centred digits
assert np.all(cnn_acc[1:4] > mlp_acc[1:4])  # the CNN keeps more at 1-3 pixels
assert cnn2_acc[3] > cnn_acc[3]  # and more pooling keeps more
assert mlp_acc[6] < 0.3 and cnn_acc[6] < 0.5  # but no network reads digits moved 6 px

# %% [markdown]
# **Why does the MLP fail so fast?** Its first layer has a separate weight for every pixel. A
# hidden unit that learned "ink here, here and here means a 4" knows nothing about the pixels
# next to them: a stroke one pixel further right meets other weights, learned from other
# digits. Worse: a pixel that is never inked in the training images never gets a gradient
# (the gradient of a first-layer weight is that pixel's value times the unit's error, and the
# value is always 0), so its weights never move from their random start. Move the digit onto
# such pixels and it meets random weights.
#
# We can see this in the weights we saved: how often each pixel holds ink in the training
# images, and how far its 128 weights moved during training.

# %%
ink_share = (X_small > 0).mean(axis=0).reshape(28, 28)
W1 = mlp.parameters()["0.W"]
movement = np.abs(W1 - W1_start).mean(axis=1).reshape(28, 28)
never_inked = (X_small > 0).sum(axis=0) == 0
print(f"{never_inked.sum()} of 784 pixels hold no ink in any of the 10,000 training images")
assert np.array_equal(W1[never_inked], W1_start[never_inked])  # their weights did not move at all

fig, axes = plt.subplots(1, 2, figsize=(8, 3.6))
for ax, picture, title in [
    (axes[0], ink_share, "share of training images\nwith ink on each pixel"),
    (axes[1], movement, "how far each pixel's first-layer\nweights moved in training"),
]:
    shown = ax.imshow(picture, cmap="viridis")
    fig.colorbar(shown, ax=ax, fraction=0.046)
    ax.set_title(title)
    ax.axis("off")
plt.show()

# %% [markdown]
# The dark frame on the right is the pixels that no training digit inks: their weights kept
# their random starting values exactly, and a digit moved far enough lands on them. Inside the
# frame the weights moved about equally, however often their pixel is inked. That is Adam's
# doing: it scales each weight's step by the typical size of its gradient, so a rarely inked
# pixel takes steps as large as a busy one, but learns them from a handful of digits (the
# brightest spot is near the rim).
#
# **Why does the CNN do better, and why not perfectly?**
#
# - Its filters are shared by every position, so they were trained wherever strokes appeared,
#   and they find a stroke wherever it has moved (the check above).
# - Max-pooling keeps only the largest value of each 2x2 block, so a feature that moves by one
#   pixel often stays in the same block: a small shift changes little.
# - But the dense layer after the pooling has one weight per (map, position), just like the
#   MLP's first layer has one per pixel. It learned "an edge *here*", so a shift of 3 pixels or
#   more, a change of one or two pooled positions, still misleads it. A second conv-and-pool
#   stage makes each position coarser (4 pixels), which is why it holds on longer.
#
# A CNN is therefore not "shift-invariant" by magic: only its convolutions are, and only in the
# sense that they move with the image. Networks that must read digits anywhere are trained on
# shifted digits (data augmentation: `digitnet train --augment affine`), or end with a pooling
# over the whole map (`global_avgpool`), which forgets position altogether.

# %% [markdown]
# ## Exercises
#
# **1.** A 28x28 image goes through `conv 16 5 pad 2` (5x5 kernels, 2 pixels of zeros on every
# side). What size are its feature maps? And through `conv 16 3 stride 2` (3x3, step 2, no
# padding)? Check with `digitnet.nn.conv.conv_output_size`.
#
# <details><summary>Answer</summary>
#
# The window's top-left corner can take (size + 2·padding - k) / stride + 1 positions (rounded
# down) in each direction. With padding 2: (28 + 4 - 5) / 1 + 1 = 28, so the maps stay 28x28
# ("same" padding: for an odd kernel k, padding (k - 1) / 2 keeps the size). With stride 2:
# (28 - 3) // 2 + 1 = 13, so 13x13.
#
# ```python
# from digitnet.nn.conv import conv_output_size
# conv_output_size(28, kernel_size=5, stride=1, padding=2)  # 28
# conv_output_size(28, kernel_size=3, stride=2, padding=0)  # 13
# ```
# </details>
#
# **2.** Write the patch matrix of the 4x4 example for stride 2 (`im2col(..., stride=2, out=...)`).
# How many columns does it have, and which ones of the stride-1 matrix are they?
#
# <details><summary>Answer</summary>
#
# (4 - 2) // 2 + 1 = 2 positions per direction, so 4 columns: the stride-1 positions (0,0),
# (0,2), (2,0) and (2,2), i.e. the patches [1 2 5 6], [3 4 7 8], [9 10 13 14], [11 12 15 16].
# Stride 2 simply skips every other window; the patches no longer overlap.
#
# ```python
# cols2 = np.empty((1, 4, 4))
# im2col(tiny.reshape(1, 1, 4, 4), kernel_size=2, stride=2, out=cols2)
# cols2[0]  # columns [1 2 5 6], [3 4 7 8], [9 10 13 14], [11 12 15 16]
# ```
# </details>
#
# **3.** `scipy.signal.correlate2d(digit, vertical_edge, mode="valid")` and
# `scipy.signal.convolve2d(digit, vertical_edge, mode="valid")`: which one equals our
# `correlate_loops`? What does the other one compute, in terms of our loop?
#
# <details><summary>Answer</summary>
#
# `correlate2d` equals the loop. `convolve2d` is the textbook convolution, which flips the
# kernel by 180° first: it equals `correlate_loops(digit, vertical_edge[::-1, ::-1])`. Our
# vertical-edge filter flipped is the negated filter, so that map has the opposite sign: blue on
# the left edges of the strokes, red on the right ones. A network that learns its kernels does
# not care which one it computes.
# </details>
#
# **4.** Make the MLP read shifted digits. Train `dn.MLP(seed=0)` on the same 10,000 images with
# data augmentation that moves each training image by up to 4 pixels:
# `augment=Augmentation(shift=4, rotate=0, scale=0, shear=0)` (from `digitnet.data.augment`),
# for 4 epochs, and measure it on the shifted test sets as above. What changes, and what does
# it cost?
#
# <details><summary>Answer</summary>
#
# ```python
# from digitnet.data.augment import Augmentation
# moving = Augmentation(shift=4, rotate=0, scale=0, shear=0)
# mlp_aug = dn.MLP(seed=0)
# mlp_aug.fit(X_small, y_small, epochs=4, optimizer=dn.Adam(lr=LR), augment=moving, verbose=0)
# [mlp_aug.score(shift_right(test_images, d).reshape(-1, 784), y_test) for d in SHIFTS]
# ```
#
# We measured about 91% at 0 and 1 pixels, 90% at 2, 89% at 3, 83% at 4, then 68% and 41% at 5
# and 6 pixels (the MLP above: 13% and 9%). Every pixel where a shifted digit may land now holds
# ink in some training image, so every weight trains, and the network learns each stroke at
# several places. The costs: on centred digits it scores less than the same MLP trained 4 epochs
# without augmentation (90.9% against 94.2%), because it has more to learn in the same time; and
# it reads only the shifts it was shown: at 5 and 6 pixels, beyond the 4 of its training, it
# falls again.
# </details>
