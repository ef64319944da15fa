# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 2. What the descriptors see
#
# A classifier never sees an image. It sees a list of numbers computed from
# the image by a **descriptor**, and it can only tell classes apart if those
# numbers differ. So before trusting a classifier it pays to look at what each
# descriptor keeps of an image, and what it throws away.
#
# This notebook draws five classical descriptors on real Sentinel-2 images
# from the EuroSAT sample:
#
# | Descriptor | Describes | One image gives |
# |---|---|---|
# | HOG (histogram of oriented gradients) | edge directions, cell by cell | a vector |
# | LBP (local binary patterns) | fine texture around every pixel | a histogram |
# | colour histogram | which colours occur, not where | a histogram |
# | SIFT keypoints | distinctive spots the image offers | a *set* of vectors |
# | dense SIFT | patches on a grid we choose | a *set* of vectors |
#
# The last two give a different number of vectors per image; notebook 3 shows
# how such sets become one vector per image.

# %%
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Circle, Rectangle

from classical.datasets import load_sample
from classical.descriptors import (
    color_histogram,
    dense_sift,
    hog,
    lbp_histogram,
    local_binary_pattern,
    sift,
)
from classical.preprocess import to_grayscale

data = load_sample("eurosat")
shown = ["Highway", "Industrial", "Forest", "SeaLake"]
# the first image of each class, in file-name order: the same on every run
images = {name: data.images[list(data.labels).index(name)] for name in shown}

fig, axes = plt.subplots(1, 4, figsize=(12, 3.4), layout="constrained")
for ax, (name, image) in zip(axes, images.items()):
    ax.imshow(image)
    ax.set_title(f"{name} ({image.shape[0]} x {image.shape[1]} px)")
    ax.set_axis_off()
plt.show()

# %% [markdown]
# ## Gradients: where most descriptors start
#
# HOG and SIFT both start from the **gradient** of the grey image: at every
# pixel, how fast and in which direction the brightness changes. A flat area
# has no gradient; an edge has a strong gradient pointing across it (from dark
# to bright). `numpy.gradient` computes it with differences between
# neighbouring pixels.

# %%
gray = to_grayscale(images["Highway"])
d_row, d_col = np.gradient(gray.astype(float))
magnitude = np.hypot(d_row, d_col)
direction = np.degrees(np.arctan2(d_row, d_col)) % 180  # edge orientation only

fig, axes = plt.subplots(1, 3, figsize=(12, 3.8), layout="constrained")
axes[0].imshow(gray, cmap="gray")
axes[0].set_title("grey image")
axes[1].imshow(magnitude, cmap="magma")
axes[1].set_title("gradient strength")
shown_direction = np.where(magnitude > np.percentile(magnitude, 75), direction,
                           np.nan)
im = axes[2].imshow(shown_direction, cmap="twilight", vmin=0, vmax=180)
axes[2].set_title("gradient direction (strongest 25%)")
fig.colorbar(im, ax=axes[2], label="degrees")
for ax in axes:
    ax.set_axis_off()
plt.show()

# %% [markdown]
# Along the road the gradient is strong, and its direction is the same all the
# way: that regularity is what HOG and SIFT summarise.
#
# ## HOG: edge directions, cell by cell
#
# Dalal and Triggs [1] cut the image into small **cells** (here 8 x 8 pixels),
# and in each cell count the gradient strength falling into each of 9
# direction bins. Groups of 2 x 2 cells (**blocks**) are then normalised, so
# that a dim and a bright version of the same edge give the same numbers.
#
# `hog(..., visualize=True)` also returns a picture of the histograms: in every
# cell, one line per direction bin, drawn along the edge and brighter when
# that bin holds more gradient.

# %%
fig, axes = plt.subplots(2, 4, figsize=(12, 6.4), layout="constrained")
for column, (name, image) in enumerate(images.items()):
    features, glyphs = hog(to_grayscale(image), orientations=9,
                           pixels_per_cell=(8, 8), cells_per_block=(2, 2),
                           visualize=True)
    axes[0, column].imshow(image)
    axes[0, column].set_title(name)
    # square root, so that weak cells remain visible next to strong ones
    axes[1, column].imshow(np.sqrt(glyphs), cmap="gray")
    axes[1, column].set_title(f"HOG: {features.size} numbers")
for ax in axes.ravel():
    ax.set_axis_off()
plt.show()

# %% [markdown]
# * **Highway** gives long runs of cells with one bright line along the road.
# * **Industrial** has strong edges in several directions (building sides).
# * **Forest** has weak, scattered directions: texture without structure.
# * **SeaLake** is nearly flat, yet its cells are far from empty: every block
#   is normalised by its own strength, so faint ripples are blown up to the
#   size of a road. The crosses are most likely the horizontal and vertical
#   edges of JPEG compression (the sample's files are JPEGs, compressed in
#   8 x 8 blocks, the size of our cells). HOG records the *direction* of
#   structure, not its *amount*. That is one reason the presets combine it
#   with colour.
#
# The 1,764 numbers are 7 x 7 block positions x 2 x 2 cells x 9 bins: the
# order of the numbers remembers *where* each edge is, so a road running the
# other way gives a different vector.
#
# ## LBP: the texture around every pixel
#
# A local binary pattern [2] compares each pixel with its neighbours on a
# small circle (here 8 neighbours at radius 1): each neighbour at least as
# bright as the centre gives a 1, each darker one a 0. The 8 bits are the
# pixel's pattern. With `method="uniform"` patterns that form a single arc of
# ones are labelled by how many ones they hold (0 to 8), and every other
# pattern gets the label 9:
#
# * 0: all neighbours darker, a bright spot;
# * 8: all neighbours brighter or equal, a dark spot *or a flat area*;
# * 1 to 7: edges and corners;
# * 9: noisy, irregular texture.
#
# The image is described by the histogram of these labels, which does not
# care where a pattern occurs, only how often.

# %%
P, R = 8, 1
colors = plt.get_cmap("viridis")(np.linspace(0, 1, P + 2))
fig, axes = plt.subplots(2, 4, figsize=(13, 6.4), layout="constrained")
for column, (name, image) in enumerate(images.items()):
    grey = to_grayscale(image)
    codes = local_binary_pattern(grey, P, R, method="uniform")
    histogram = lbp_histogram(grey, P, R, method="uniform")
    axes[0, column].imshow(codes, cmap="viridis", vmin=0, vmax=P + 1,
                           interpolation="nearest")
    axes[0, column].set_title(f"{name}: LBP label per pixel")
    axes[0, column].set_axis_off()
    axes[1, column].bar(np.arange(P + 2), histogram, color=colors,
                        edgecolor="black", linewidth=0.5)
    axes[1, column].set_xticks(np.arange(P + 2))
    axes[1, column].set_ylim(0, 0.5)
    axes[1, column].set_xlabel("LBP label")
axes[1, 0].set_ylabel("share of pixels")
plt.show()

# %% [markdown]
# The flat water of **SeaLake** gives a tall bar at label 8; the crowns of the
# **Forest** give many irregular patterns (label 9); the straight edges of the
# road and buildings raise the middle labels (4 is half the circle brighter:
# a straight edge). Ten numbers already tell water and forest from the
# built-up scenes, but the road and the industrial site give almost the same
# histogram: LBP alone cannot separate those two.
#
# ## Colour histograms: which colours, not where
#
# A colour histogram counts the pixels of each colour. In the HSV colour
# space, **hue** is the kind of colour (red, green, blue, ...), **saturation**
# how pure it is (grey is 0), **value** how bright. With `joint=False` we get
# one histogram per channel, here 18 hue bins and 8 saturation bins. Swain and
# Ballard [3] showed that such histograms, blind to position, are enough to
# recognise many objects.

# %%
HUE_BINS, SATURATION_BINS = 18, 8
hue_centres = (np.arange(HUE_BINS) + 0.5) * 360 / HUE_BINS
hue_colours = plt.get_cmap("hsv")(hue_centres / 360)
fig, axes = plt.subplots(2, 4, figsize=(13, 5.6), layout="constrained")
for column, (name, image) in enumerate(images.items()):
    histogram = color_histogram(image, color_space="hsv",
                                bins=(HUE_BINS, SATURATION_BINS, 1), joint=False)
    hue = histogram[:HUE_BINS]
    saturation = histogram[HUE_BINS:HUE_BINS + SATURATION_BINS]
    axes[0, column].bar(hue_centres, hue, width=360 / HUE_BINS,
                        color=hue_colours, edgecolor="black", linewidth=0.5)
    axes[0, column].set(title=name, xlim=(0, 360), ylim=(0, 1),
                        xlabel="hue (degrees)")
    axes[1, column].bar((np.arange(SATURATION_BINS) + 0.5) / SATURATION_BINS,
                        saturation, width=1 / SATURATION_BINS, color="0.6",
                        edgecolor="black", linewidth=0.5)
    axes[1, column].set(xlim=(0, 1), ylim=(0, 1), xlabel="saturation")
axes[0, 0].set_ylabel("share of pixels")
axes[1, 0].set_ylabel("share of pixels")
plt.show()

# %% [markdown]
# A surprise: even the forest's hue peaks near 200 degrees, a blue-cyan, not
# green. These are top-of-atmosphere images, and haze scatters blue light into
# every pixel. Saturation separates more here: built-up areas are grey (low),
# water is the most saturated. Keep this in mind for notebook 4, where a rule
# about "green pixels" meets these images.
#
# ## SIFT keypoints: spots the image chooses
#
# Lowe's SIFT [4] looks for **keypoints**: blobs that stand out from their
# surroundings at some scale (found as extrema of a difference of Gaussian
# blurs). Each keypoint gets a size, and the patch around it is described by
# 128 numbers: a 4 x 4 grid of small histograms of gradient direction, 8
# directions each. We draw each keypoint as a circle of its size.

# %%
fig, axes = plt.subplots(1, 4, figsize=(13, 3.6), layout="constrained")
for ax, (name, image) in zip(axes, images.items()):
    descriptors, positions, sizes = sift(image)
    ax.imshow(image)
    for (x, y), size in zip(positions, sizes):
        ax.add_patch(Circle((x, y), size / 2, fill=False, color="yellow",
                            linewidth=0.8))
    ax.set_title(f"{name}: {len(descriptors)} keypoints")
    ax.set_axis_off()
plt.show()

# %% [markdown]
# Keypoints gather on small bright or dark blobs (roofs, the edges of the road,
# field corners), and a flat lake or an even forest canopy may give
# **none at all**: there is nothing distinctive to
# find. That is a problem for classification, since "no descriptor" is not a
# description. How often does it happen across the whole sample?

# %%
counts = np.array([len(sift(image)[0]) for image in data.images])
print(f"{'class':22s} {'median keypoints':>16s} {'images with none':>17s}")
for name in data.class_names:
    in_class = counts[data.labels == name]
    print(f"{name:22s} {np.median(in_class):16.0f} {np.mean(in_class == 0):17.0%}")

# %% [markdown]
# Nine forest or lake images in ten have no keypoint at all, and grassland
# (Pasture, HerbaceousVegetation) has few: a median of 2 to 4, and none at
# all in more than a quarter of its images.
#
# ## Dense SIFT: a grid we choose
#
# The cure is to stop waiting for the image to offer keypoints and describe
# patches on a **regular grid** instead [5]: every `step` pixels, a patch of
# 4 x 4 bins of `bin_size` pixels, described by the same 128-number histogram
# of gradient directions. Every image, flat or busy, gets the same number of
# descriptors. Below: the grid (one dot per patch centre) with three of the
# 16 x 16-pixel patches outlined.

# %%
STEP, BIN_SIZE = 8, 4
fig, axes = plt.subplots(1, 4, figsize=(13, 3.6), layout="constrained")
for ax, (name, image) in zip(axes, images.items()):
    descriptors, positions, bin_sizes = dense_sift(to_grayscale(image), step=STEP,
                                                   bin_size=BIN_SIZE)
    ax.imshow(image)
    ax.plot(positions[:, 0], positions[:, 1], ".", color="yellow", markersize=4)
    side = 4 * BIN_SIZE
    for x, y in positions[[0, 24, 48]]:
        # a patch covers pixels centre - side/2 .. centre + side/2 (edges of pixels)
        ax.add_patch(Rectangle((x - side / 2, y - side / 2), side, side,
                               fill=False, color="red", linewidth=1.2))
    ax.set_title(f"{name}: {len(descriptors)} patches")
    ax.set_axis_off()
plt.show()

# %% [markdown]
# ## Inside one SIFT descriptor
#
# What are the 128 numbers? Take the patch with the most gradient (it lies on
# the road) and draw its 4 x 4 spatial bins, each with its 8 direction bins as
# the spokes of a small star: the longer a spoke, the more gradient points that
# way. (Direction bin *k* points
# at *k* x 45 degrees, measured from the x axis towards the bottom of the
# image, as the `dense_sift` documentation states.)

# %%
image = images["Highway"]
descriptors, positions, _ = dense_sift(to_grayscale(image), step=STEP,
                                       bin_size=BIN_SIZE)
# the gradient strength summed over each 16 x 16 patch; keep the largest
corners = (positions - 2 * BIN_SIZE + 0.5).astype(int)  # first row and column
energy = [magnitude[r:r + 4 * BIN_SIZE, c:c + 4 * BIN_SIZE].sum()
          for c, r in corners]
strongest = int(np.argmax(energy))
histograms = descriptors[strongest].reshape(4, 4, 8)  # bin row, bin column, angle
x0, y0 = positions[strongest] - 2 * BIN_SIZE  # top-left corner of the patch

fig, axes = plt.subplots(1, 2, figsize=(10, 4.8), layout="constrained")
axes[0].imshow(image)
axes[0].add_patch(Rectangle((x0, y0), 4 * BIN_SIZE, 4 * BIN_SIZE, fill=False,
                            color="red", linewidth=2))
axes[0].set_title("the patch")
axes[1].imshow(to_grayscale(image), cmap="gray", alpha=0.5)
angles = np.radians(np.arange(8) * 45)
scale = 0.5 * BIN_SIZE / histograms.max()
for row in range(4):
    for column in range(4):
        cx = x0 + (column + 0.5) * BIN_SIZE
        cy = y0 + (row + 0.5) * BIN_SIZE
        for angle, length in zip(angles, histograms[row, column]):
            axes[1].plot([cx, cx + scale * length * np.cos(angle)],
                         [cy, cy + scale * length * np.sin(angle)],
                         color="red", linewidth=1.5)
axes[1].set_xlim(x0 - 0.5, x0 + 4 * BIN_SIZE - 0.5)
axes[1].set_ylim(y0 + 4 * BIN_SIZE - 0.5, y0 - 0.5)
axes[1].set_title("its 4 x 4 x 8 = 128 numbers")
for ax in axes:
    ax.set_axis_off()
plt.show()

# %% [markdown]
# The stars in the road's bins point across the road, in both directions
# (dark-to-bright on one side of the road, bright-to-dark on the other). A
# vector like this is compared with others by plain Euclidean distance: two
# patches with the same edge in the same place are close.
#
# ## What to remember
#
# * A descriptor decides what the classifier can notice. HOG keeps edge
#   directions and their position, LBP fine texture, histograms colour.
# * Whole-image descriptors (HOG, LBP and colour histograms) give one vector
#   per image, ready for a classifier. Local descriptors (SIFT, dense SIFT)
#   give a set of vectors per image, of a size that may vary; notebook 3 turns
#   such a set into one vector.
# * Keypoint detectors find little in smooth natural scenes; dense grids
#   describe everything.
#
# ## References
#
# [1] N. Dalal and B. Triggs, "Histograms of oriented gradients for human
# detection", *CVPR* 2005.
# [doi:10.1109/CVPR.2005.177](https://doi.org/10.1109/CVPR.2005.177)
#
# [2] T. Ojala, M. Pietikäinen and T. Mäenpää, "Multiresolution gray-scale and
# rotation invariant texture classification with local binary patterns",
# *IEEE TPAMI* 24(7), 2002.
# [doi:10.1109/TPAMI.2002.1017623](https://doi.org/10.1109/TPAMI.2002.1017623)
#
# [3] M. J. Swain and D. H. Ballard, "Color indexing", *International Journal
# of Computer Vision* 7(1), 1991.
# [doi:10.1007/BF00130487](https://doi.org/10.1007/BF00130487)
#
# [4] D. G. Lowe, "Distinctive image features from scale-invariant
# keypoints", *International Journal of Computer Vision* 60(2), 2004.
# [doi:10.1023/B:VISI.0000029664.99615.94](https://doi.org/10.1023/B:VISI.0000029664.99615.94)
#
# [5] E. Nowak, F. Jurie and B. Triggs, "Sampling strategies for
# bag-of-features image classification", *ECCV* 2006: patches sampled densely
# or at random classify better than interest points, because they are more.
# [doi:10.1007/11744085_38](https://doi.org/10.1007/11744085_38)
