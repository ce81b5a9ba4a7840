# %% [markdown]
# # 5. What the network learned, and where it fails
#
# A trained network is a few arrays of numbers. This notebook looks inside one:
#
# 1. its first-layer weights, drawn as pictures;
# 2. the test digits it gets wrong while being most sure of itself;
# 3. "why" maps: which pixels pushed it towards its answer;
# 4. a photo of a handwritten digit, through every step that turns it into the 28x28 image the
#    network reads, and how to try your own photo.
#
# We train the network of the earlier notebooks, 784 → 128 → 64 → 10 with ReLU, briefly: 3
# epochs on 20,000 training images, a few seconds. Run the cells from top to bottom.

# %%
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from PIL import Image, ImageDraw, ImageFilter
from scipy import ndimage

import digitnet as dn
from digitnet.app.plots.figures import tile_mosaic
from digitnet.data import ink as ink_steps
from digitnet.data import preprocess

(X_train, y_train), (X_test, y_test) = dn.load_mnist(dtype="uint8")  # pixels 0..255
rng = np.random.default_rng(0)
subset = rng.choice(len(X_train), size=20_000, replace=False)

model = dn.MLP([784, 128, 64, 10], seed=0)
W1_start = model.parameters()["0.W"].copy()  # the random first-layer weights, for later
model.fit(X_train[subset], y_train[subset], epochs=3, optimizer=dn.Adam(lr=0.001), verbose=0)
test_accuracy = model.score(X_test, y_test)
print(f"test accuracy: {test_accuracy:.2%} on {len(X_test):,} test digits")
assert test_accuracy > 0.93

# %% [markdown]
# ## 1. The first layer's weights are pictures
#
# The first layer computes, for each of its 128 hidden units, a weighted sum of the 784 pixels:
# `z = x W + b`, with `W` of shape (784, 128). So each unit has one weight per pixel, and its 784
# weights can be drawn as a 28x28 picture: red where ink pushes the unit on, blue where ink
# pushes it off, white for weights near zero. We draw the first 64 units, row by row; the other
# 64 look alike.

# %%
W1 = model.parameters()["0.W"]
print("W1:", W1.shape, " one column per hidden unit")


SHOWN = 64  # units to draw: the first 64 of the 128 (all of them make a heavy picture)


def show_tiles(weights, title, columns=16):
    """Each column of `weights` (784, units) as a 28x28 tile, red + / blue -, one colour scale."""
    limit = np.percentile(np.abs(weights), 99.5)  # a few large weights should not fade the rest
    mosaic = tile_mosaic(weights[:, :SHOWN].T.reshape(-1, 28, 28), columns)  # NaN between tiles
    fig, ax = plt.subplots(figsize=(13, 3.8))
    cmap = plt.get_cmap("RdBu_r").with_extremes(bad="white")
    ax.imshow(mosaic, cmap=cmap, vmin=-limit, vmax=limit, interpolation="nearest")
    ax.set_title(title)
    ax.axis("off")
    plt.show()


show_tiles(W1, "64 hidden units' weights on the 784 pixels, after training (units 0 to 63)")

# %% [markdown]
# Mostly speckle! Each tile is the unit's random starting weights plus what 3 epochs of training
# added, and the random part is still the loudest. (The full training of the README, 20 epochs on
# all 60,000 images, gives clearer pictures; `digitnet plot` draws them.) We kept the starting
# weights, so we can subtract them and look at what training added alone.

# %%
learned = W1 - W1_start
show_tiles(learned, "what training added: the same weights minus their random start")

# %% [markdown]
# Now there are shapes. Each unit has learned a pattern of strokes, curves and blobs, red where
# it wants ink and blue where it wants none; few look like a whole digit. No unit is "the 3
# detector": a digit is recognised by the next layers, from which units fire together.
#
# Three things to notice:
#
# - Most of each tile's outer frame is white: those pixels hold ink in no training image, so
#   their weights get no gradient and never change (the gradient of a first-layer weight is its
#   pixel's value times the unit's error).
# - Just inside it the colours are strongest. Those pixels are inked in only a few training
#   images, but Adam scales each weight's step by the typical size of its gradient, so a rarely
#   used weight takes steps as large as a busy one, learned from a handful of digits.
# - A few tiles are almost blank. Those units hardly ever fire: a ReLU unit whose weighted sum
#   is negative for every image outputs 0 and passes no gradient back, so it stops learning (a
#   "dead" unit). The next cell finds them.

# %%
activations = []  # the output of each ReLU layer, for the training images
model.forward((X_train[subset] / 255).astype(np.float32), activations=activations)
fires = (activations[0] > 0).mean(axis=0)  # (128,): share of images each unit fires for
change = np.abs(learned).max(axis=0)  # (128,): largest change of each unit's weights
for unit in np.argsort(fires[:SHOWN])[:3]:  # the 3 drawn units that fire least
    print(
        f"unit {unit:2d} (row {unit // 16}, column {unit % 16} of the pictures): fires for "
        f"{fires[unit]:.2%} of the images; its weights changed by at most {change[unit]:.3f}"
    )
print(
    f"a typical unit fires for {np.median(fires):.0%} of the images and changed by up to "
    f"{np.median(change):.3f}"
)

# %% [markdown]
# The units that fire least are the pale tiles of the picture, and their weights moved far less
# than a typical unit's: they learned only while they still fired, early in training. The
# frame, by contrast, did not move at all:

# %%
never_inked = (X_train[subset] > 0).sum(axis=0) == 0
print(f"{never_inked.sum()} pixels hold ink in none of the 20,000 training images;")
print("their weights changed by exactly", np.abs(learned[never_inked]).max())
assert np.all(learned[never_inked] == 0)

# %% [markdown]
# ## 2. The most confident mistakes
#
# The network gives each digit a probability. Most mistakes come with low confidence: the
# network hesitated. The interesting ones are where it was sure and wrong.

# %%
probs = model.predict_proba(X_test)  # (10000, 10), rows sum to 1
predicted = probs.argmax(axis=1)
confidence = probs.max(axis=1)
wrong = np.flatnonzero(predicted != y_test)
print(f"{len(wrong)} mistakes out of {len(y_test):,}")
print(f"the network was at least 90% sure on {np.mean(confidence[wrong] >= 0.9):.0%} of them,")
print(
    f"and at least 90% sure on {np.mean(confidence[predicted == y_test] >= 0.9):.0%}"
    " of its right answers"
)

# %%
worst = wrong[np.argsort(-confidence[wrong])][:16]  # most confident first

fig, axes = plt.subplots(2, 8, figsize=(13, 4.2))
for ax, i in zip(axes.ravel(), worst):
    ax.imshow(X_test[i].reshape(28, 28), cmap="gray_r")
    ax.set_title(f"true {y_test[i]}, said {predicted[i]}\n{confidence[i]:.1%} sure", fontsize=9)
    ax.axis("off")
fig.suptitle("the 16 test digits the network got wrong with the most confidence")
plt.show()

# %% [markdown]
# Look at them as a person would. Some are hard for us too: a 2 written like a Z (read as a 7),
# four 7s with a bar across the stem (read as 2s), 8s whose upper loop is left open (read as
# 4s). Others have a shape that few of the 20,000 training digits showed, such as the 2 drawn as
# a round loop (read as a 0).
#
# A network's confidence is not a measure of how right it is: it is the softmax of its scores,
# and scores can be large for an image unlike any it was trained on. That is why `digitnet
# predict` says "not sure" below a confidence of 0.8, and why it still lets some confident
# mistakes through.

# %% [markdown]
# ## 3. "Why" maps: which pixels pushed the answer
#
# For a digit x and a class k, the network's score for k is its logit (its output before the
# softmax). The **input gradient** is the derivative of that score with respect to each pixel:
#
# ```
# why[i, j] = ∂ score_k / ∂ x[i, j]
# ```
#
# It is computed by the same backward pass as training, started from the score instead of the
# loss, and carried all the way back to the pixels (docs/backprop.md, section 15). Red pixels:
# more ink there would raise the score of k. Blue: ink there lowers it.
#
# `model.input_gradient(x, classes)` takes a batch of images as the network reads them (pixels
# / 255, as float32) and one class per image.

# %%
right = 0  # test image 0, a 7 the network reads correctly
mistake = worst[0]  # the most confident mistake
examples = np.array([right, mistake])
x = (X_test[examples] / 255).astype(np.float32)  # (2, 784): as the network reads them
said = predicted[examples]
# the other answer we compare with: the runner-up for the right answer, the truth for the mistake
other = np.array([np.argsort(-probs[right])[1], y_test[mistake]])
for i, k, o in zip(examples, said, other):
    print(
        f"test image {i}: a {y_test[i]}, said {k} ({probs[i, k]:.1%}); "
        f"compared with {o} ({probs[i, o]:.1%})"
    )

why_said = model.input_gradient(x, said)  # (2, 784): d score of what it said / d pixel
why_other = model.input_gradient(x, other)  # d score of the other digit / d pixel
print("why maps:", why_said.shape)

# %% [markdown]
# What does the map mean, in numbers? Move the image a little, in any direction `v`: the score
# should change by about `why · v` (the first term of a Taylor series). Let us check it.

# %%
v = rng.normal(0, 0.01, size=784).astype(np.float32)  # a small random change of every pixel
k = predicted[right]
before = model.predict_logits(x[:1])[0, k]
after = model.predict_logits(x[:1] + v)[0, k]
print(f"score of {k}: {before:.4f} -> {after:.4f}, a change of {after - before:+.4f}")
print(f"the why map predicted                 {why_said[0] @ v:+.4f}")
assert np.isclose(after - before, why_said[0] @ v, rtol=0.05, atol=1e-3)

# %% [markdown]
# Now the maps. Each row: the digit; the map of the digit the network said; the map of the other
# digit; their difference; and that difference on the ink alone. The digit's outline is drawn
# on each map, so that you can see where the strokes are.
#
# Why the difference? The softmax turns scores into probabilities by comparing them: adding the
# same amount to every score changes nothing. What decides between two digits is the
# *difference* of their scores, so its map is the one that says which pixels argued for one
# digit rather than the other.
#
# And why "on the ink"? For a network of ReLUs, each score is, near a given image, a linear
# function of the pixels: score ≈ Σ why[p] · x[p] + a constant from the biases, usually small.
# So `why * x`, the map times the image, splits the score into one vote per pixel, and only
# pixels with ink vote. We check that the votes add up to nearly the score difference.

# %%
diff = why_said - why_other  # (2, 784): d (score said - score other) / d pixel
votes = diff * x  # each pixel's share of the score difference
logits = model.predict_logits(x)
for row in range(2):
    gap = logits[row, said[row]] - logits[row, other[row]]
    print(
        f"test image {examples[row]}: score {said[row]} - score {other[row]} = {gap:.2f};"
        f" the votes add up to {votes[row].sum():.2f}"
    )
    assert np.isclose(votes[row].sum(), gap, rtol=0.1)

# %%
fig, axes = plt.subplots(2, 5, figsize=(15, 6.4))
for row, name in enumerate(["right answer", "confident mistake"]):
    i, k, o = examples[row], said[row], other[row]
    digit = x[row].reshape(28, 28)
    axes[row, 0].imshow(digit, cmap="gray_r")
    axes[row, 0].set_title(f"{name}: a {y_test[i]}\n(said {k}, {probs[i, k]:.1%})")
    maps = [
        (why_said[row], f"why {k}:\n∂ score {k} / ∂ pixel"),
        (why_other[row], f"why {o}:\n∂ score {o} / ∂ pixel"),
        (diff[row], f"why {k} rather than {o}:\n∂ (score {k} - score {o}) / ∂ pixel"),
        (votes[row], f"the ink's votes, {k} (red)\nagainst {o} (blue)"),
    ]
    for col, (why, title) in enumerate(maps, start=1):
        limit = np.abs(why).max()
        axes[row, col].imshow(why.reshape(28, 28), cmap="RdBu_r", vmin=-limit, vmax=limit)
        axes[row, col].contour(digit, levels=[0.5], colors="black", linewidths=0.6)
        axes[row, col].set_title(title, fontsize=10)
for ax in axes.ravel():
    ax.axis("off")
plt.show()

# %% [markdown]
# How to read them:
#
# - The first two maps are busy, with colour even on the blank background: in an MLP every
#   pixel has its own weights, trained or not (section 1). The difference map is the one to read.
# - **Right answer.** In the "7 rather than 3" map, blue gathers under the bar, left of the
#   stem, where a 3's middle stroke comes in, and in the lower half on both sides of the stem,
#   along a 3's lower curve: ink there would argue for a 3. The 7 has no ink there, so those
#   pixels cast no votes; its votes (last map) are red along most of its bar and stem.
# - **The mistake.** This is the 2 written like a Z. The last map shows which of its strokes
#   argued for a 7: the red ones, most of all its long flat top, just where a 7 has its bar,
#   and (less expected) its foot along the bottom. The blue pixels, the ink that looks like a
#   2's, mostly the lower end of the diagonal and the sharp turn into the foot, are too few to
#   outvote them.
#
# Two warnings. The map is *local*: it says how a score moves for a small change of each pixel;
# the votes are exact only as long as the image stays near this one (a ReLU that switches on or
# off changes the linear function). And maps of an MLP are noisy; the CNN of notebook 4 gives
# smoother ones. The drawing page, `digitnet serve`, shows the "why" map of the digit it reads
# for whatever you draw.

# %% [markdown]
# ## 4. A photo, step by step
#
# The network was trained on MNIST: light ink on black, the digit scaled to 20 pixels and
# centred on its centre of mass in a 28x28 field. A photo of a digit on paper is nothing like
# that: dark ink on a light page, any size, anywhere, unevenly lit. `digitnet predict` (and the
# drawing page) turn any picture into an MNIST-like image first, with
# `digitnet.data.preprocess.to_mnist`. We follow it one step at a time.
#
# First, a photo. We have no camera here, so we make a photo-like picture: a 2 written with a
# pen on cream paper, small and off-centre as in a real photo, the light falling off towards
# the right, a shadow over one corner, and sensor noise. It is saved as a PNG in a temporary
# folder, with the same page without the digit, for a comparison below.
#
# **To use your own photo**, set `PHOTO` to its path in the next cell (a PNG or JPEG; a digit
# written dark on light paper, with a margin around it), and run the rest of the notebook.

# %%
PHOTO = None  # e.g. "my_digit.jpg"; None makes the photo-like picture below

workdir = tempfile.TemporaryDirectory()  # deleted at the end of the notebook
BLANK = None  # the same page without the digit (only for the picture we make)
if PHOTO is None:
    H, W = 360, 480
    pen = Image.new("L", (W, H), 0)  # where the ink goes: 0 paper, 255 ink
    t = np.linspace(1.05 * np.pi, 2.2 * np.pi, 30)  # the 2's upper arc, then its foot
    stroke = [(150 + 46 * np.cos(a), 110 + 42 * np.sin(a)) for a in t] + [(109, 219), (199, 214)]
    ImageDraw.Draw(pen).line(stroke, fill=255, width=12, joint="curve")
    ink_share = np.asarray(pen.filter(ImageFilter.GaussianBlur(1.5)), dtype=np.float64) / 255

    rows, cols = np.mgrid[0:H, 0:W]
    light = 1.0 - 0.4 * cols / W  # light falls off towards the right
    light *= 1 - 0.45 / (1 + np.exp(-(rows + cols - 600) / 15))  # a soft shadow, bottom right
    paper, ink_colour = np.array([215.0, 205.0, 180.0]), np.array([35.0, 35.0, 50.0])
    noise = rng.normal(0, 5, (H, W, 3))  # the camera's sensor noise
    for name, share in [("photo_of_a_two.png", ink_share), ("blank_page.png", 0 * ink_share)]:
        rgb = paper * (1 - share[..., None]) + ink_colour * share[..., None]
        rgb = rgb * light[..., None] + noise
        Image.fromarray(np.clip(rgb, 0, 255).astype(np.uint8)).save(Path(workdir.name) / name)
    PHOTO = Path(workdir.name) / "photo_of_a_two.png"
    BLANK = Path(workdir.name) / "blank_page.png"
print("the photo:", Path(PHOTO).name)

# %% [markdown]
# **Step 1: read it.** `load_image` gives the picture as floats in [0, 1], shape
# (height, width, 3 colour channels). Pictures larger than 512 pixels are shrunk first: the
# digit ends up 20 pixels tall anyway.

# %%
picture = preprocess.load_image(PHOTO)
print("picture:", picture.shape, picture.dtype)
# the steps below are find_ink's for photos; pictures under 64 pixels take a simpler path
assert min(picture.shape[:2]) >= ink_steps.FLATTEN_MIN_SIDE, "use a picture of 64 px or more"

# %% [markdown]
# Could we skip the rest, and just shrink the photo to 28x28? Let us see what the network makes
# of that, as grey levels, inverted so that the ink is bright as in MNIST; and of the same page
# without the digit.


# %%
def shrunk(path):
    """The picture at `path` as 28x28 grey levels, inverted: ink bright, paper dark(ish)."""
    small = Image.open(path).convert("L").resize((28, 28), Image.Resampling.LANCZOS)
    return 1 - np.asarray(small, dtype=np.float32) / 255


naive = {"the photo": shrunk(PHOTO)}
if BLANK is not None:
    naive["the page without a digit"] = shrunk(BLANK)
fig, axes = plt.subplots(1, len(naive), figsize=(2.6 * len(naive), 2.8), squeeze=False)
for ax, (name, image) in zip(axes[0], naive.items()):
    p = model.predict_proba(image.reshape(1, 784))[0]
    print(f"{name}, shrunk and inverted: the network says {p.argmax()} ({p.max():.0%} sure)")
    ax.imshow(image, cmap="gray", vmin=0, vmax=1)
    ax.set_title(f"{name}\nsaid {p.argmax()} ({p.max():.0%})", fontsize=9)
    ax.axis("off")
plt.show()
if BLANK is not None:  # a page with no digit still gets a confident answer
    assert model.predict_proba(naive["the page without a digit"].reshape(1, 784)).max() > 0.5

# %% [markdown]
# The network answers, and sure of itself, whatever it is shown, even a page with no digit on
# it. These fields are nothing like MNIST's: the paper is grey instead of black, darker where
# the light fell off and in the shadow, and the digit is small and off-centre. So its answer says
# nothing about the digit. Hence the steps.
#
# **Step 2: find the ink** (`digitnet.data.ink.find_ink`). Three ideas:
#
# 1. *Divide the page's light away.* A grey *closing* (a maximum filter, then a minimum filter,
#    each wider than any pen stroke) erases the dark strokes and keeps the page's own
#    brightness, gradient and shadow included. Dividing the picture by it makes the paper
#    white everywhere; what is left dark is ink. (digitnet does this per colour channel, so
#    blue ink counts too, and takes each pixel's darkest channel.)
# 2. *Choose a threshold from the picture itself* (Otsu's method: the cut that best separates
#    the pixels into two groups of brightness).
# 3. *Keep only the strokes that make the digit*: the largest connected stroke away from the
#    picture's border, and sizeable strokes near it; specks and shadow edges go.
#
# We call the pieces of `find_ink` one by one, and check at the end that together they give
# what `find_ink` gives.

# %%
picture = ink_steps.reduce_picture(picture)  # no change unless over 512 pixels
is_photo = ink_steps.light_page(picture)  # dark ink on a light page?
print("dark ink on a light page:", is_photo)

# idea 1: the page's light, as the grey closing sees it; computed here only to draw it (on the
# grey levels): _flatten computes it for each colour channel, and divides
width = max(3, round(min(picture.shape[:2]) * ink_steps.PAGE_FILTER))
luma = ndimage.gaussian_filter(ink_steps.gray(picture), 1.0)
page_light = ndimage.grey_closing(luma, size=(width, width))

darkness = ink_steps._flatten(picture, is_photo)  # 1 - picture / page light, darkest channel
top = darkness.max()
darkness = darkness / top
threshold = ink_steps.otsu_threshold(darkness)  # idea 2
strokes = ink_steps.digit_components(  # idea 3
    darkness > threshold, edges_are_page=is_photo and top < ink_steps.STRONG_INK
)
ink_map = ink_steps.stretch(darkness, strokes, threshold)  # soft edges kept, page set to 0
print(f"Otsu's threshold: {threshold:.3f};  ink map {ink_map.shape}, from 0 to {ink_map.max()}")
assert np.array_equal(ink_map, ink_steps.find_ink(picture))

# %% [markdown]
# **Step 3: crop, scale, centre** (`digitnet.data.preprocess`), as MNIST's makers did:
#
# - crop to the box around the ink (pixels of the ink map above 0.25);
# - scale it so that its longer side is 20 pixels, keeping its shape (with anti-aliasing, so
#   strokes get soft grey edges like MNIST's);
# - paste it into a black 28x28 field so that its centre of mass (the ink-weighted average
#   position) falls on pixel (14, 14), to the nearest whole pixel.
#
# And the check: the same as `to_mnist`, which does all the steps at once.

# %%
rows, cols = np.nonzero(ink_map > preprocess.INK)
box = (rows.min(), rows.max() + 1, cols.min(), cols.max() + 1)
cropped = ink_map[box[0] : box[1], box[2] : box[3]]
scaled = preprocess._scale_longest_side(cropped, preprocess.BOX)
field = preprocess._centre_on_mass(scaled)
print("cropped:", cropped.shape, " scaled:", scaled.shape, " field:", field.shape)

centre = ndimage.center_of_mass(field)
print(f"centre of mass of the field: row {centre[0]:.2f}, column {centre[1]:.2f}")
assert np.all(np.abs(np.array(centre) - 14) <= 0.5)  # the paste moves whole pixels
assert np.array_equal(field, preprocess.to_mnist(preprocess.load_image(PHOTO)))

# %% [markdown]
# Every stage in one picture:

# %%
stages = [
    (picture, "1. the photo", None),
    (page_light, "2a. the page's light\n(grey closing)", "gray"),
    (darkness, "2b. darkness:\n1 - photo / page's light", "gray_r"),
    (darkness > threshold, "2c. above Otsu's\nthreshold", "gray_r"),
    (ink_map, "2d. the digit's strokes\n(the ink map)", "gray"),
    (cropped, f"3a. cropped\n{cropped.shape[0]}x{cropped.shape[1]}", "gray"),
    (scaled, f"3b. scaled to\n{scaled.shape[0]}x{scaled.shape[1]}", "gray"),
    (field, "3c. centred in 28x28:\nwhat the network reads", "gray"),
]
fig, axes = plt.subplots(2, 4, figsize=(12, 6))
for ax, (image, title, cmap) in zip(axes.ravel(), stages):
    ax.imshow(image, cmap=cmap)
    ax.set_title(title, fontsize=10)
    ax.set_xticks([])
    ax.set_yticks([])
axes[1, 0].add_patch(
    plt.Rectangle((box[2], box[0]), box[3] - box[2], box[1] - box[0], fill=False, color="red")
)
axes[1, 3].plot(14, 14, "r+", markersize=12)  # where the centre of mass must be
plt.show()

# %% [markdown]
# Notice in 2b that the shadow and the light fall-off are gone: dividing by the page's light
# evens them out, and the paper becomes nearly blank (a faint line is left where the shadow's
# edge is sharper than the closing can follow). The threshold in 2c drops that line and keeps
# the strokes; in a real photo it may keep a few specks too, which 2d drops. The red box in 2d
# is the crop; the red cross in 3c is pixel (14, 14).
#
# **Finally, the network reads it.**

# %%
photo_probs = model.predict_proba(field.reshape(1, 784))[0]
ranked = np.argsort(-photo_probs)[:3]
print("the network reads:", model.predict(field.reshape(1, 784))[0])
print("top three:", ", ".join(f"{d}: {photo_probs[d]:.1%}" for d in ranked))
workdir.cleanup()

# %% [markdown]
# From the command line, the same steps run inside `digitnet predict`:
#
# ```bash
# digitnet train                                      # saves model.npz (20 epochs, ~98%)
# digitnet predict model.npz my_digit.jpg --show-input # saves my_digit.seen.png: stage 3c
# ```
#
# If a photo of yours is misread, look at what the network saw (`--show-input`, or stage 3c
# above). Common causes: the digit touches the edge of the picture (strokes at the border are
# taken for the page's edge: leave a margin), several digits in one picture, lined paper, a
# very thin pen.

# %% [markdown]
# ## Exercises
#
# **1.** Train the same network for longer, on all 60,000 images (still without augmentation
# or weight decay). Can the weights of a pixel that is blank in every training image ever
# change?
#
# <details><summary>Answer</summary>
#
# No. The gradient of the weight from pixel p to unit j is a sum over the images of x_p times
# the unit's error g_j (dL/dW1[p, j] = Σ x_p g_j), and x_p is 0 in every image, so it is exactly
# 0 at every step, whatever the optimizer: plain gradient descent, momentum and Adam all move a
# weight only by (averages of) its gradients. Only something that puts ink on those pixels can
# change them: augmentation (shifts, rotations) or other data. Weight decay would shrink them
# towards 0, so that they would look white instead of speckled. On all 60,000 images there are
# fewer such pixels (67, against 90 in our 20,000), but there are some.
# </details>
#
# **2.** How many of the test mistakes would `digitnet predict`'s "not sure" rule (confidence
# under 0.8) flag for this model, and how many right answers would it doubt?
#
# <details><summary>Answer</summary>
#
# ```python
# unsure = confidence < 0.8
# print(f"flags {unsure[wrong].mean():.0%} of the mistakes, "
#       f"doubts {unsure[predicted == y_test].mean():.1%} of the right answers")
# ```
#
# For this briefly trained model we measured 80% of the mistakes flagged, and 10.0% of the
# right answers doubted. The README's fully trained model is surer of everything: it flags 49%
# of its mistakes and doubts 1.2% of its right answers. A threshold trades one against the
# other, and the best one depends on the model: 0.8 was chosen on the test set for the default
# model.
# </details>
#
# **3.** Where would ink turn test image 0 (a 7) into a 9? Draw `model.input_gradient(x[:1],
# np.array([9]))` as above. Then try it: add ink (set pixels to 1) where the map is most red,
# a few pixels at a time, and watch `model.predict_proba`.
#
# <details><summary>Answer</summary>
#
# ```python
# why9 = model.input_gradient(x[:1], np.array([9]))[0]
# changed = x[:1].copy()
# for step in range(10):
#     blank = changed[0] < 0.5  # only add ink where there is none yet
#     best = np.argsort(-(why9 * blank))[:5]  # the 5 reddest blank pixels
#     changed[0, best] = 1.0
#     print(step, model.predict(changed)[0], model.predict_proba(changed)[0, 9].round(3))
#     why9 = model.input_gradient(changed, np.array([9]))[0]
# ```
#
# We measured the probability of 9 at 0.2% after the first step, 3% after 3 steps (15 pixels),
# 25% after 5, and 50% after 6 steps: with 30 pixels changed, 4% of the image, the answer is 9,
# by a hair over the 7 (74% after 7 steps). About a third of the pixels it picks lie under the
# 7's bar, left of its stem, where a 9's loop would close, and three more just above the bar;
# another third are in the bottom rows, far from any stroke, where the MLP's weights happen to
# favour a 9. A person still sees a 7 with a few specks. Small changes, chosen with the
# gradient, that flip a network's answer are called *adversarial examples*.
# </details>
#
# **4.** Try to break the preprocessing. In the cell that makes the photo, change one thing at a
# time and run the notebook again from there: blue ink (`ink_colour = [40, 60, 170]`), a grey
# pencil (`[150, 150, 150]`), a darker shadow (0.8 instead of 0.45), a thin pen (`width=3`
# instead of 12). Which ones does it cope with, and why does the one that fails, fail?
#
# <details><summary>Answer</summary>
#
# We measured: blue ink, read as a 2 (80%); grey pencil, a 2 (75%); the darker shadow, a 2
# (76%): each about as sure as of the photo itself (80%). Dividing by the page's light (per
# colour channel, keeping each pixel's darkest one) turns all of them into dark strokes on a
# white page. (This briefly trained network is not very sure of this 2 even in the photo, so
# `digitnet predict`'s "not sure" rule, under 0.8, would flag these three too.) The thin pen is
# where it struggles: still a 2, but only 32% sure, with 3 (17%) and 7 (13%) close behind,
# which `digitnet predict` would report as "not sure" (with other noise we have seen it read
# as a 7). Look at stage 3c: the digit, about 160 pixels tall, is shrunk 8 times to 20 pixels,
# so a 3-pixel stroke becomes less than half a pixel wide, a faint, broken grey line (12 pixels
# above 0.5, against 67 with the thick pen; an MNIST digit has about 100). MNIST's digits have
# strokes 2-3 pixels wide at this scale, and the network has never seen anything thinner.
# Write with a thicker pen, or photograph thin writing from further away, so that the digit is
# smaller in the picture.
# </details>
