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
# # 4. Rules, maximum likelihood and the reject option
#
# Long before machine learning, people classified satellite images with
# **rules** they could read: "if most pixels are green, it is vegetation".
# Then came **statistics**: model what each class looks like, and give an
# image to the class it most likely came from. This notebook tries both on
# real images, honestly, and ends with a classifier that can say
# **"I don't know"**.
#
# The task: sort the EuroSAT sample into **vegetation** (forest, pasture,
# herbaceous vegetation, annual and permanent crops), **water** (rivers, seas
# and lakes) and **other** (highways, industrial and residential areas).
# Half the images are for looking and learning, half for grading.

# %%
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import to_rgb
from matplotlib.patches import Ellipse
from scipy.stats import chi2

import classical
from classical.classifiers import GaussianMLClassifier, RuleClassifier
from classical.datasets import load_sample
from classical.descriptors import ColorMomentsExtractor, PixelRuleFeatures

GROUP = {"Forest": "vegetation", "HerbaceousVegetation": "vegetation",
         "Pasture": "vegetation", "AnnualCrop": "vegetation",
         "PermanentCrop": "vegetation", "River": "water", "SeaLake": "water"}


def group(labels):
    """The group of each EuroSAT class: vegetation, water, or other."""
    return np.array([GROUP.get(label, "other") for label in labels])


data = load_sample("eurosat")
train, test = data.split(test_size=0.5, random_state=0)
y_train, y_test = group(train.labels), group(test.labels)
for name in ["vegetation", "water", "other"]:
    print(f"{name:10s} {np.sum(y_train == name):3d} training, "
          f"{np.sum(y_test == name):3d} test images")

# %% [markdown]
# ## The textbook rule
#
# A pixel is **green** when its green value is larger than both its red and
# its blue value. An image is **vegetation** when at least 60% of its pixels
# are green. Let us first look at which pixels the rule calls green.

# %%
shown = ["Forest", "Pasture", "AnnualCrop", "River"]
fig, axes = plt.subplots(2, 4, figsize=(12, 6.2), layout="constrained")
for column, name in enumerate(shown):
    image = train.images[list(train.labels).index(name)].astype(int)
    red, green, blue = image[..., 0], image[..., 1], image[..., 2]
    is_green = (green > red) & (green > blue)
    axes[0, column].imshow(image.astype(np.uint8))
    axes[0, column].set_title(name)
    axes[1, column].imshow(is_green, cmap="Greens", vmin=0, vmax=1)
    axes[1, column].set_title(f"green pixels: {is_green.mean():.0%}")
for ax in axes.ravel():
    ax.set_axis_off()
plt.show()

# %% [markdown]
# The forest, obviously vegetation, has almost no "green" pixel. Why? Print
# the average red, green and blue of all forest images:

# %%
forest = np.array([image.reshape(-1, 3).mean(axis=0)
                   for image, label in zip(train.images, train.labels)
                   if label == "Forest"])
red, green, blue = forest.mean(axis=0)
print(f"forest images, mean of the pixel values: red {red:.0f}, green {green:.0f}, "
      f"blue {blue:.0f}")

# %% [markdown]
# Blue beats green. These are *top-of-atmosphere* images: sunlight scattered
# by the air (the reason the sky is blue) adds blue to every pixel, and dark
# surfaces such as forest and water are swamped by it. The rule was written
# for a different kind of image.
#
# Still, let us grade it honestly, on every image, with
# `PixelRuleFeatures` (which measures the share of green pixels, and a few
# other pixel statistics) and a `RuleClassifier` holding the rule as text.

# %%
pixels = PixelRuleFeatures()
X_train = pixels.fit_transform(train.images)
X_test = pixels.transform(test.images)
names = list(pixels.get_feature_names_out())
print("features:", names)

textbook = RuleClassifier(rules=["green_fraction > 0.6 -> vegetation", "other"],
                          feature_names=names).fit(X_train, y_train)
report = classical.evaluate(y_test, textbook.predict(X_test))
print(f"textbook rule: accuracy {report.accuracy:.3f}, kappa {report.kappa:.3f}, "
      f"majority baseline {report.majority_baseline:.3f}")

# %% [markdown]
# Worse than always answering "vegetation". The rule cannot answer "water",
# which is unfair to it, so give it its best chance: score only vegetation
# against the rest, and let the training images choose the threshold instead
# of 60%.

# %%
is_vegetation_train = y_train == "vegetation"
thresholds = np.linspace(0, 1, 101)
training_accuracy = [np.mean((X_train[:, 0] > t) == is_vegetation_train)
                     for t in thresholds]
best = thresholds[int(np.argmax(training_accuracy))]
binary_truth = np.where(y_test == "vegetation", "vegetation", "not vegetation")
binary_answer = np.where(X_test[:, 0] > best, "vegetation", "not vegetation")
tuned = classical.evaluate(binary_truth, binary_answer)
print(f"best threshold on the training images: {best:.2f} green pixels")
print(f"vegetation or not, on the test images: accuracy {tuned.accuracy:.3f}, "
      f"kappa {tuned.kappa:.3f}, majority baseline {tuned.majority_baseline:.3f}")

fig, ax = plt.subplots(figsize=(10, 3.8), layout="constrained")
classes = train.class_names
ax.boxplot([X_train[train.labels == name, 0] for name in classes])
ax.axhline(0.6, color="red", linestyle="--", label="the textbook 60%")
ax.axhline(best, color="black", linestyle=":", label=f"the best threshold, {best:.2f}")
ax.set_xticks(np.arange(1, len(classes) + 1), classes, rotation=30, ha="right")
ax.set_ylabel("share of green pixels")
ax.legend(loc="upper center")
plt.show()

# %% [markdown]
# Even with its best threshold, the share of green pixels barely separates
# vegetation from the rest (kappa far below 0.5): most forest images have
# none, and some lakes and rivers have many. The rule fails not because
# rules are bad, but because **this** rule was never checked against
# **these** images.
#
# ## Rules that fit the data
#
# The library's `rules-vegetation` preset holds rules that were read off the
# EuroSAT training images and rounded so a person can check them. They use
# saturation (how pure the colour is; water is the most saturated) and
# brightness (built-up areas have bright roofs and roads).

# %%
preset = classical.make_pipeline("rules-vegetation").fit(train.images, y_train)
rules = preset[-1]
for rule in rules.rules_:
    print(rule)
print("otherwise ->", rules.default_)
preset_report = classical.evaluate(y_test, preset.predict(test.images))
print(f"\naccuracy {preset_report.accuracy:.3f}, kappa {preset_report.kappa:.3f}")

# %% [markdown]
# Much better. We can also let the computer **learn** rules: with
# `rules=None`, `RuleClassifier` grows a small decision tree (here at most 3
# questions deep) on the training images and writes each leaf as a rule.

# %%
learned = RuleClassifier(rules=None, max_depth=3, feature_names=names,
                         random_state=0).fit(X_train, y_train)
for rule in learned.rules_:
    print(rule)
print("otherwise ->", learned.default_)
learned_report = classical.evaluate(y_test, learned.predict(X_test))
print(f"\naccuracy {learned_report.accuracy:.3f}, kappa {learned_report.kappa:.3f}")
decided_by = np.bincount(learned.apply(X_test), minlength=len(learned.rules_) + 1)
print("test images decided by each rule (the last: the default):", decided_by)

# %% [markdown]
# The learned rules are about as good as the preset's, and just as readable.
# Both stay near 70%: colour statistics of a whole image can only go so far.
#
# ## Gaussian maximum likelihood
#
# The statistical approach [1] models each class as a cloud of points in
# feature space, shaped like a **Gaussian** (a bell curve in several
# dimensions): a centre (the mean) and an elliptical spread (the
# covariance). A new image goes to the class under whose Gaussian it is most
# likely. This is the "maximum likelihood classifier" that remote sensing has
# used since the 1970s.
#
# The features here are colour moments: the mean and standard deviation of
# each channel in the Lab colour space (L is lightness; a runs from green to
# red; b from blue to yellow). To draw the idea we first use only two of
# them, the variation of lightness (texture) and the mean of a (green-red),
# and five classes. The ellipses hold 95% of each class's Gaussian; the
# coloured areas show which class wins where. Ignore the white area for now.

# %%
moments = ColorMomentsExtractor(color_space="lab", moments=2)
M_train = moments.fit_transform(train.images)
M_test = moments.transform(test.images)
moment_names = list(moments.get_feature_names_out())
print(moment_names)

colours = {"Forest": "#1b7837", "SeaLake": "#2166ac", "AnnualCrop": "#e08214",
           "Residential": "#b2182b", "Industrial": "#762a83"}
five = np.isin(train.labels, list(colours))
pair = [moment_names.index("lab_l_std"), moment_names.index("lab_a_mean")]
flat = GaussianMLClassifier(reject_threshold=0.05).fit(M_train[five][:, pair],
                                                       train.labels[five])

low, high = M_train[five][:, pair].min(axis=0), M_train[five][:, pair].max(axis=0)
grid_x, grid_y = np.meshgrid(np.linspace(low[0], high[0], 300),
                             np.linspace(low[1], high[1], 300))
winner = flat.predict(np.column_stack([grid_x.ravel(), grid_y.ravel()]))
palette = {**colours, "unknown": "white"}
area = np.array([to_rgb(palette[name]) for name in winner]).reshape(
    grid_x.shape + (3,))

fig, ax = plt.subplots(figsize=(9, 6.5), layout="constrained")
ax.imshow(area, origin="lower", alpha=0.3, aspect="auto",
          extent=(low[0], high[0], low[1], high[1]))
radius = np.sqrt(chi2.ppf(0.95, df=2))  # 95% of a 2-D Gaussian lies inside
for k, name in enumerate(flat.classes_):
    points = M_train[train.labels == name][:, pair]
    ax.scatter(points[:, 0], points[:, 1], s=10, color=colours[name], label=name)
    values, vectors = np.linalg.eigh(flat.covariances_[k])
    angle = np.degrees(np.arctan2(vectors[1, 1], vectors[0, 1]))
    ax.add_patch(Ellipse(flat.means_[k], 2 * radius * np.sqrt(values[1]),
                         2 * radius * np.sqrt(values[0]), angle=angle,
                         fill=False, color=colours[name], linewidth=2))
ax.set(xlabel="standard deviation of lightness (texture)",
       ylabel="mean of Lab a (green - red)", xlim=(low[0], high[0]),
       ylim=(low[1], high[1]))
ax.legend(loc="upper right")
plt.show()

# %% [markdown]
# Classes with a compact cloud (forest, sea and lakes) own a small, well
# defined region; the boundaries between classes are curves (quadratic),
# because each class has its own spread. Residential and industrial areas
# overlap: two numbers cannot tell them apart.
#
# Now all six colour moments. Note a trick: "vegetation" is not one cloud but
# five (forest looks nothing like a ploughed field), and one Gaussian would
# describe it badly. So we model the **ten EuroSAT classes** and merge the
# answers into the three groups afterwards; remote-sensing practice calls
# these *spectral subclasses*.

# %%
mlc = GaussianMLClassifier().fit(M_train, train.labels)
answers = mlc.predict(M_test)
ten = classical.evaluate(test.labels, answers)
mlc_report = classical.evaluate(y_test, group(answers))
print(f"ten classes: accuracy {ten.accuracy:.3f}")
print(f"merged into three groups: accuracy {mlc_report.accuracy:.3f}, "
      f"kappa {mlc_report.kappa:.3f}")

fig, ax = plt.subplots(figsize=(6, 3.2), layout="constrained")
scores = {"textbook rule": report, "rules-vegetation preset": preset_report,
          "learned rules": learned_report, "maximum likelihood": mlc_report}
bars = ax.barh(list(scores), [r.kappa for r in scores.values()], color="tab:green")
ax.bar_label(bars, fmt="%.2f", padding=3)
ax.set(xlim=(0, 1), xlabel="Cohen's kappa, three groups (test images)")
ax.invert_yaxis()
plt.show()

# %% [markdown]
# Six numbers per image and one Gaussian per class beat every rule we tried.
# The price: the model is no longer a few lines a person can check, though
# each class is still just a mean and a covariance that can be printed and
# plotted.
#
# ## Saying "unknown": the reject option
#
# A classifier trained on ten classes answers one of those ten, even for an
# image unlike anything it has seen. The Gaussian model offers a natural way
# out: if an image lies too far from the centre of the class it would be
# given, outside the ellipse that holds, say, 95% of that class, call it
# **unknown**. With `reject_threshold=0.05` the test is a chi-square test at
# the 5% level on the (Mahalanobis) distance to the winning class, so about
# 5% of the images of known classes should be rejected too: the price of
# the safety net. The white area of the two-feature picture above is exactly
# this: the places outside the 95% ellipse of the class that would win.
#
# To test it we hide a class during training: the model never sees an
# industrial area, then meets 50 of them in the test set.

# %%
unseen = "Industrial"
seen = train.labels != unseen
cautious = GaussianMLClassifier(reject_threshold=0.05).fit(M_train[seen],
                                                           train.labels[seen])
answers = cautious.predict(M_test)
novel = test.labels == unseen
print(f"{unseen} images answered 'unknown': {np.mean(answers[novel] == 'unknown'):.0%}")
print(f"images of known classes answered 'unknown': "
      f"{np.mean(answers[~novel] == 'unknown'):.0%}")
called, counts = np.unique(answers[novel], return_counts=True)
print(f"what the {novel.sum()} {unseen} images were called:",
      ", ".join(f"{name} {count}" for name, count in zip(called, counts)))

known_report = classical.evaluate(test.labels[~novel], answers[~novel],
                                  unknown_label="unknown")
print(f"on the known classes: coverage {known_report.coverage:.3f}, accuracy on the "
      f"answered images {known_report.answered_accuracy:.3f}")

# %% [markdown]
# About half of the never-seen industrial areas are flagged, at the cost of
# about 5% of the known images, as promised by the 5% level. The others fall
# inside the ellipse of some known class and are answered with confidence,
# and wrongly: the test only knows what the classes it has seen look like.
#
# How well this works depends on *which* class is missing. Try each class in
# turn:

# %%
print(f"{'hidden class':22s} {'hidden images rejected':>23s} {'known rejected':>15s}")
for unseen in train.class_names:
    seen = train.labels != unseen
    model = GaussianMLClassifier(reject_threshold=0.05).fit(M_train[seen],
                                                            train.labels[seen])
    answers = model.predict(M_test)
    novel = test.labels == unseen
    print(f"{unseen:22s} {np.mean(answers[novel] == 'unknown'):23.0%} "
          f"{np.mean(answers[~novel] == 'unknown'):15.0%}")

# %% [markdown]
# The share of known images rejected stays near the chosen 5% whichever
# class is hidden: that part of the promise holds. The share of hidden images
# caught varies from about half (SeaLake, Industrial, AnnualCrop) to almost
# none (Forest, Highway, PermanentCrop): a class whose images lie outside
# every other class's ellipse is often caught, one whose images fall inside
# the cloud of a similar known class is not. A reject option is a
# safety net with holes, not a detector of everything new; the library's
# `classical.classifiers.RejectOption` wraps any classifier with other
# confidences (see the "decisions" examples).
#
# ## What to remember
#
# * Check a rule against the data before trusting it; a rule written for one
#   kind of image can fail completely on another.
# * Rules learned from the data (or read off them) can be as readable as
#   hand-written ones and much better.
# * Gaussian maximum likelihood models each class by a mean and a covariance;
#   model sub-classes when a class is really several things.
# * The same model can refuse to answer, at a cost you choose in advance
#   (the significance level), and will still miss look-alikes.
#
# ## References
#
# [1] J. A. Richards and X. Jia, *Remote Sensing Digital Image Analysis: An
# Introduction*, 4th ed., Springer, 2006, ch. 8 (maximum likelihood
# classification and its thresholds).
# [doi:10.1007/3-540-29711-1](https://doi.org/10.1007/3-540-29711-1);
# 6th ed. (J. A. Richards), 2022,
# [doi:10.1007/978-3-030-82327-6](https://doi.org/10.1007/978-3-030-82327-6)
