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
# # 5. Land cover from a real raster
#
# So far every image had one label. A **land-cover map** is different: every
# *pixel* of a satellite scene gets a class (forest, water, town, ...). The
# scene is a **raster**, a grid of pixels with several measurements per pixel
# (the *bands*), tied to a place on Earth by a coordinate system.
#
# This notebook goes through the whole job on a real Landsat 7 scene that
# ships with the package (250 x 250 pixels of 30 m, in southern Mexico, with
# 30 training polygons drawn by a person):
#
# 1. look at the bands and at what each class looks like in them;
# 2. train a per-pixel classifier and map the whole scene to a GeoTIFF;
# 3. measure its accuracy without fooling ourselves;
# 4. turn the map into **areas** with honest error bars.
#
# It needs the `geo` extra (`pip install "classical-vision[geo]"`).

# %%
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import rasterio
from matplotlib.colors import ListedColormap

import classical
from classical.geo import (
    area_estimates,
    assess_map,
    classify_raster,
    fit_raster,
    load_sample,
    read_labels,
    sample_points,
    split_pixels,
)

sample = load_sample("landsat7")
scene = sample.image
print(f"{scene.height} x {scene.width} pixels, {scene.count} layers, "
      f"coordinate system {scene.crs}")
print("band roles (layer numbers):", sample.band_roles)
print("classes:", sample.class_names)

# %% [markdown]
# ## Looking at the scene
#
# A colour photograph has three bands (red, green, blue). Landsat 7 measures
# more: near-infrared (NIR) and two short-wave infrared (SWIR) bands that the
# eye cannot see, and a thermal band. Healthy leaves reflect near-infrared
# strongly, so a *false-colour* composite that shows SWIR, NIR and red as red,
# green and blue paints vegetation bright green.
#
# The training polygons are read onto the image grid with `read_labels`:
# every pixel gets its class (0 = unlabelled) and the number of its polygon.

# %%
labels, polygons = read_labels(sample.vector_path, scene, return_groups=True)
names = sample.class_names  # label value -> class name


def stretch(bands):
    """Scale each band between its 2nd and 98th percentile, for display."""
    low, high = np.percentile(bands, [2, 98], axis=(0, 1))
    return np.clip((bands - low) / (high - low), 0, 1)


roles = sample.band_roles
true_colour = stretch(scene.read(bands=[roles["red"], roles["green"],
                                        roles["blue"]]).astype(float))
false_colour = stretch(scene.read(bands=[roles["swir1"], roles["nir"],
                                         roles["red"]]).astype(float))
class_colours = ["#1b7837", "#2166ac", "#a6d96a", "#d8b365", "#d73027"]
label_cmap = ListedColormap(["none"] + class_colours)

fig, axes = plt.subplots(1, 3, figsize=(14, 4.9), layout="constrained")
axes[0].imshow(true_colour)
axes[0].set_title("true colour (red, green, blue)")
axes[1].imshow(false_colour)
axes[1].set_title("false colour (SWIR, NIR, red)")
axes[2].imshow(true_colour.mean(axis=2), cmap="gray")
axes[2].imshow(np.ma.masked_equal(labels, 0), cmap=label_cmap, vmin=0,
               vmax=len(names), interpolation="nearest")
axes[2].set_title("training polygons")
handles = [plt.Rectangle((0, 0), 1, 1, color=c) for c in class_colours]
axes[2].legend(handles, names.values(), loc="lower left", fontsize=8)
for ax in axes:
    ax.set_axis_off()
plt.show()

for value, name in names.items():
    print(f"{name:>10}: {np.sum(labels == value):4d} pixels in "
          f"{len(np.unique(polygons[labels == value]))} polygons")

# %% [markdown]
# Only 718 of the 62,500 pixels are labelled, and urban has just two
# polygons: hand-drawn training data is always scarce.
#
# ## Spectral signatures
#
# A pixel classifier works because each kind of surface reflects each band
# differently. The average of every band over the labelled pixels of each
# class is its **spectral signature**:

# %%
pixels = scene.read()  # (rows, columns, layers)
band_order = sorted(roles.items(), key=lambda item: item[1])
fig, ax = plt.subplots(figsize=(9, 4), layout="constrained")
for (value, name), colour in zip(names.items(), class_colours):
    mean = pixels[labels == value][:, :7].mean(axis=0)
    ax.plot(range(7), mean, marker="o", color=colour, label=name, linewidth=2)
ax.set_xticks(range(7), [role for role, _ in band_order])
ax.set(ylabel="mean value in the file", title="mean of each layer per class")
ax.legend()
plt.show()

# %% [markdown]
# Water stays dark in the infrared, where everything else brightens;
# vegetation jumps up in the near-infrared; bare ground and towns are bright
# in the short-wave infrared.
# (The thermal layer has its own units, so compare it only between classes.)
# A classifier only has to learn where these curves differ.
#
# ## Train per pixel, map the scene
#
# We hold out 30% of each class's **polygons** for testing (why polygons and
# not pixels is the next section). `fit_raster` reads the training pixels
# block by block and fits a pipeline; `pixel-mlc` is Gaussian maximum
# likelihood (notebook 4) on the bands plus spectral indices such as NDVI,
# which it can compute because `sensor="landsat7"` tells it which layer is
# which. `classify_raster` then classifies every pixel, block by block, and
# writes a GeoTIFF with the scene's coordinates, a colour table and the class
# names.

# %%
train, test = split_pixels(labels, test_size=0.3, groups=polygons, random_state=0)
print(f"{train.sum()} training pixels, {test.sum()} test pixels")

model = fit_raster(classical.make_pipeline("pixel-mlc"), scene,
                   np.where(train, labels, 0), class_names=names,
                   sensor="landsat7", bands=range(1, 8), random_state=0)
output = Path(tempfile.mkdtemp()) / "land_cover.tif"
classify_raster(model, scene, output, block_size=64, verbose=False)

with rasterio.open(output) as written:
    class_map = written.read(1)
    table = written.colormap(1)
    print(f"wrote {output.name}: {written.width} x {written.height}, "
          f"{written.crs}, tags {written.tags()}")
map_cmap = ListedColormap(np.array([table[v] for v in range(len(names) + 1)]) / 255)

fig, axes = plt.subplots(1, 2, figsize=(11, 5), layout="constrained")
axes[0].imshow(false_colour)
axes[0].set_title("false colour")
axes[1].imshow(class_map, cmap=map_cmap, vmin=0, vmax=len(names),
               interpolation="nearest")
axes[1].set_title("land-cover map (pixel-mlc)")
handles = [plt.Rectangle((0, 0), 1, 1, color=map_cmap(v)) for v in names]
axes[1].legend(handles, names.values(), loc="lower left", fontsize=8)
for ax in axes:
    ax.set_axis_off()
plt.show()

# %% [markdown]
# Rivers, forest and fields come out well. The town in the centre (bright
# pink in false colour) is mapped as barren, with a few urban specks
# elsewhere: urban has two polygons, one of them held out for testing, so the
# model learned "urban" from a single polygon. Maps are only as good as their
# training data.
#
# ## Accuracy without fooling ourselves
#
# Pixels of one polygon are near-copies of each other (same field, same
# light). If some of them are used for training and others for testing, the
# test only checks that the model *remembers* the field. Compare the two
# splits on three random draws each, with the same model:

# %%
print(f"{'split':>9} {'draw':>4} {'test pixels':>11} {'accuracy':>8}")
for draw in range(3):
    for kind, groups in [("pixels", None), ("polygons", polygons)]:
        fit_on, test_on = split_pixels(labels, test_size=0.3, groups=groups,
                                       random_state=draw)
        trial = fit_raster(classical.make_pipeline("pixel-mlc"), scene,
                           np.where(fit_on, labels, 0), class_names=names,
                           sensor="landsat7", bands=range(1, 8), random_state=0)
        trial_map = classify_raster(trial, scene, None, verbose=False)
        trial_report = classical.evaluate(labels[test_on], trial_map[test_on])
        print(f"{kind:>9} {draw:4d} {test_on.sum():11d} {trial_report.accuracy:8.3f}")

# %% [markdown]
# Splitting by pixel says "above 90%" every time; splitting by polygon, which
# asks the real question (does the model recognise a field it has never
# seen?), gives lower and much more variable numbers, because a whole
# polygon, sometimes a whole class's test set, goes one way or the other.
# With 30 polygons, the honest answer is "somewhere around 65-85%, we cannot
# say more precisely".
#
# `assess_map` compares the map with reference labels and gives the usual
# figures (notebook 1 explains producer's and user's accuracy). Remote
# sensing writes the error matrix with the **map** classes in rows, the
# transpose of `classical.evaluate`'s confusion matrix:

# %%
assessment = assess_map(output, np.where(test, labels, 0))
print(f"overall accuracy {assessment['overall_accuracy']:.3f}, kappa "
      f"{assessment['kappa']:.3f}, on {assessment['n_samples']} test pixels\n")
for name, producers, users in zip(assessment["classes"],
                                  assessment["producers_accuracy"],
                                  assessment["users_accuracy"]):
    print(f"{name:>10}: producer's {producers:.2f}, user's {users:.2f}")
print("\nerror matrix (rows: map class, columns: reference class)")
print(" " * 11 + "".join(f"{name[:9]:>10}" for name in assessment["classes"]))
for name, row in zip(assessment["classes"], assessment["error_matrix"]):
    print(f"{name:>10} " + "".join(f"{count:10d}" for count in row))

# %% [markdown]
# ## From a map to areas
#
# A map is often made to answer "how much?": how many hectares of forest,
# how much was cleared. The tempting answer is to count the pixels of each
# class and multiply by the pixel area (30 m x 30 m = 0.09 ha). But the map
# has errors, and counting pixels carries them straight into the areas: a
# class that the map over-predicts gets too large an area.
#
# Olofsson et al. [1] describe the accepted practice:
#
# 1. draw a **stratified random sample** of points, a fixed number in each
#    *map* class (the map classes are the strata);
# 2. have a person determine the true class of each point (from better
#    imagery or a field visit);
# 3. weigh each stratum's error matrix row by the share of the map it covers.
#    This gives unbiased estimates of each class's true area and of the
#    accuracies, **with confidence intervals**.
#
# `sample_points` does step 1 (and can write a GeoJSON or CSV file for the
# person doing step 2):

# %%
points = sample_points(output, 25, random_state=0)
print(f"{len(points['id'])} points; the first three:")
for key in ["id", "x", "y", "map_class"]:
    print(f"  {key:>9}: {points[key][:3]}")

fig, ax = plt.subplots(figsize=(5.5, 5.5), layout="constrained")
ax.imshow(class_map, cmap=map_cmap, vmin=0, vmax=len(names), interpolation="nearest")
ax.scatter(points["col"], points["row"], s=18, facecolor="white", edgecolor="black")
ax.set_title("25 points per map class (stratified)")
ax.set_axis_off()
plt.show()

# %% [markdown]
# We have no person to label these points, so for step 3 we use the worked
# example published by Olofsson et al. [1] (section 5): a map of forest change
# with four classes and 600 labelled points. `area_estimates` takes the error
# matrix (map classes in rows) and the mapped area of each class.

# %%
change_classes = ["deforestation", "forest gain", "stable forest",
                  "stable non-forest"]
counts = [[66, 0, 5, 4],
          [0, 55, 8, 12],
          [1, 0, 153, 11],
          [2, 1, 9, 313]]
mapped_pixels = [200_000, 150_000, 3_200_000, 6_450_000]
estimate = area_estimates(counts, mapped_pixels, classes=change_classes)
HECTARES = 0.09  # one 30 m pixel
print(f"{'class':>18} {'mapped (ha)':>12} {'estimated (ha)':>15} {'95% interval':>13}")
for k, name in enumerate(change_classes):
    print(f"{name:>18} {mapped_pixels[k] * HECTARES:12,.0f} "
          f"{estimate['area'][k] * HECTARES:15,.0f} "
          f"{'±':>6}{estimate['area_ci95'][k] * HECTARES:7,.0f}")
print(f"overall accuracy {estimate['overall_accuracy']:.3f} "
      f"+/- {estimate['overall_accuracy_ci95']:.3f}")

# %% [markdown]
# The map shows 18,000 ha of deforestation, but 5 + 4 of the points mapped as
# deforestation were not, while 1 + 2 points mapped as stable were: weighted
# by the huge stable strata, those few misses add up. The estimate is about
# 21,000 ha, give or take about 6,000 ha. The error bar is part of the answer.
#
# What happens when the sample is **not** a probability sample? `assess_map`
# also computes these estimates for our map, with the held-out polygons
# standing in for the sample:

# %%
ours = assessment["area_estimates"]
print(f"{'class':>10} {'mapped (ha)':>12} {'estimated (ha)':>15} {'95% interval':>13}")
for k, name in enumerate(ours["classes"]):
    print(f"{name:>10} {ours['mapped_area'][k]:12,.0f} {ours['area'][k]:15,.0f} "
          f"{'±':>6}{ours['area_ci95'][k]:7,.0f}")

# %% [markdown]
# Look at urban: a tiny area mapped, many times more "estimated". The error
# matrix above shows why: the urban test polygon was mapped as barren and the
# barren one mostly as urban. The estimator assumes the test pixels of each
# map class were drawn at random over that class, so it concludes that a
# large share of everything mapped barren is really town. The arithmetic is
# right; the sample is not what the arithmetic assumes. Area estimates are
# only as good as the sampling design behind them, which is why step 1
# matters.
#
# ## What to remember
#
# * Pixel classification learns spectral signatures; `fit_raster` and
#   `classify_raster` do it block by block, for scenes of any size.
# * Split training and test data by polygon (or by spatial block), never by
#   pixel.
# * Areas come from a probability sample of reference points and a
#   stratified estimator, with confidence intervals, not from counting the
#   pixels of a map.
#
# ## References
#
# [1] P. Olofsson, G. M. Foody, M. Herold, S. V. Stehman, C. E. Woodcock and
# M. A. Wulder, "Good practices for estimating area and assessing accuracy of
# land change", *Remote Sensing of Environment* 148, 2014.
# [doi:10.1016/j.rse.2014.02.015](https://doi.org/10.1016/j.rse.2014.02.015)
#
# The scene: USGS Landsat 7 ETM+ (public domain), subset and polygons from
# C. Holden's open-geo-tutorial (CC BY-SA); see
# `classical/geo/data/landsat7/README.md`.
