"""
=============================================
A land-cover map from a Landsat 7 scene
=============================================

A land-cover map is the classic remote-sensing product: every pixel of a
multispectral scene gets a class. This example goes from the raw material a
practitioner has, a GeoTIFF stack and training polygons drawn by a person,
to a GeoTIFF class map and an honest accuracy statement, using the Landsat 7
ETM+ sample that ships with the package (250 x 250 pixels of 30 m, 8 layers,
30 training polygons of 5 classes; see its README for source and licence).

Three points matter more than the choice of classifier:

* pixels of one polygon are near-copies of each other, so a split that puts
  some in training and others in testing measures memory, not mapping skill:
  we split **by polygon**;
* a scene is read and classified **by blocks**, so the same code maps a
  scene far larger than memory, and the result does not depend on the block
  size;
* accuracy computed on a sample is an estimate: the stratified estimators of
  Olofsson et al. (2014) turn the error matrix and the mapped areas into
  class areas with confidence intervals.
"""

# %%
# The scene and its training polygons
# -----------------------------------
# The 8th layer is a cloud mask (all clear here), so the models learn from
# layers 1-7. The polygons are rasterised onto the image grid; each pixel
# also gets the index of its polygon, which the split uses.
import matplotlib.pyplot as plt
import numpy as np
import rasterio
from matplotlib.colors import ListedColormap

import classical
from classical.geo import (
    assess_map,
    classify_raster,
    fit_raster,
    load_sample,
    read_labels,
    split_pixels,
)

sample = load_sample("landsat7")
labels, polygons = read_labels(sample.vector_path, sample.image, return_groups=True)
names = sample.class_names
scene = sample.image
print(f"scene {scene.height} x {scene.width} pixels, {scene.count} layers")
for value, name in names.items():
    print(f"  {name:>10}: {np.sum(labels == value):4d} labelled pixels, "
          f"{len(np.unique(polygons[labels == value]))} polygons")

# %%
# A split by polygon
# ------------------
# 30 % of each class's polygons are held out for testing. Urban has only two
# polygons, so one of them is the whole urban test set: small test sets are
# the reality of hand-drawn training data, and the reason to report more
# than one number.
train, test = split_pixels(labels, test_size=0.3, groups=polygons, random_state=0)
print(f"{train.sum()} training pixels, {test.sum()} test pixels")

# %%
# Train two pixel presets and map the scene
# -----------------------------------------
# ``pixel-mlc`` is Gaussian maximum likelihood (the remote-sensing workhorse)
# on the bands plus spectral indices (NDVI, NDWI, NDBI, ...), which it adds
# because the Landsat 7 band roles are known from the file's band names;
# ``pixel-rf`` is a random forest on the same rows. ``fit_raster`` reads the
# training pixels block by block, and ``classify_raster`` writes a tiled,
# compressed GeoTIFF with the scene's CRS, a colour table and the class names.
maps = {}
for preset in ("pixel-mlc", "pixel-rf"):
    model = fit_raster(classical.make_pipeline(preset), sample.image,
                       np.where(train, labels, 0), class_names=names,
                       sensor="landsat7", bands=range(1, 8), random_state=0)
    path = classify_raster(model, sample.image, f"{preset}.tif", block_size=64,
                           probabilities=True, verbose=False)
    maps[preset] = path
    print(f"{preset}: wrote {path}")

# %%
# The result does not depend on the block size: the same model, classified
# with blocks of 64 and of 512 pixels, gives the same map.
with rasterio.open(maps["pixel-rf"]) as written:
    mapped = written.read(1)
    tags = written.tags()
same = classify_raster(model, sample.image, None, block_size=512, verbose=False)
print("identical to the 512-pixel run:", np.array_equal(mapped, same))
print("class names in the file:", tags["class_names"])

# %%
# Accuracy on the held-out polygons, and class areas
# --------------------------------------------------
# Overall accuracy and kappa, then producer's accuracy (how much of each
# reference class the map finds) and user's accuracy (how often a mapped
# class is right on the ground). The area estimates here use the test
# polygons as if they were a stratified random sample, which they are not,
# so they only illustrate the arithmetic: a real assessment draws points
# with :func:`classical.geo.sample_points` and has a person label them.
for preset, path in maps.items():
    result = assess_map(path, np.where(test, labels, 0))
    print(f"\n{preset}: OA {result['overall_accuracy']:.3f}, "
          f"kappa {result['kappa']:.3f} on {result['n_samples']} test pixels")
    for name, pa, ua in zip(result["classes"], result["producers_accuracy"],
                            result["users_accuracy"]):
        print(f"  {name:>10}: producer's {pa:.2f}, user's {ua:.2f}")

# %%
# The maps
# --------
# The false-colour composite (SWIR1, NIR, red as red, green, blue) shows
# vegetation in green and bare or built ground in pink; beside it, the two
# class maps with the colours stored in their GeoTIFFs.
composite = sample.image.read(bands=[5, 4, 3]).astype(float)
low, high = np.percentile(composite, [2, 98], axis=(0, 1))
composite = np.clip((composite - low) / (high - low), 0, 1)

fig, axes = plt.subplots(1, 3, figsize=(12, 4.8))
axes[0].imshow(composite)
axes[0].set_title("Landsat 7, bands 5-4-3")
for ax, (preset, path) in zip(axes[1:], maps.items()):
    with rasterio.open(path) as written:
        values = written.read(1)
        colours = written.colormap(1)
    table = np.array([colours[v] for v in range(len(names) + 1)]) / 255
    ax.imshow(values, cmap=ListedColormap(table), vmin=0, vmax=len(names),
              interpolation="nearest")
    ax.set_title(preset)
handles = [plt.Rectangle((0, 0), 1, 1, color=table[v]) for v in names]
fig.legend(handles, names.values(), loc="lower center", ncol=len(names))
for ax in axes:
    ax.set_axis_off()
fig.tight_layout(rect=(0, 0.08, 1, 1))
plt.show()
