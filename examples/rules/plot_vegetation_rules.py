"""
=====================================================
Vegetation rules: looked at, written by hand, learned
=====================================================

Before statistics, remote sensing classified with rules an analyst could
read: "if most pixels are green, it is vegetation". Such rules are still
useful -- they can be checked, explained and edited, and they need almost
no training data. This example builds them in three steps on the EuroSAT
sample:

1. describe each image by simple pixel statistics
   (:class:`~classical.descriptors.PixelRuleFeatures`) and *look* at them
   class by class;
2. write rules by hand with :class:`~classical.classifiers.RuleClassifier`
   and assess them on vegetation vs non-vegetation;
3. let ``RuleClassifier(rules=None)`` learn rules from labelled images, and
   read what it found.
"""

# %%
# A vegetation / non-vegetation task
# ----------------------------------
# Forest, HerbaceousVegetation and Pasture are vegetation; Highway,
# Industrial, Residential, River and SeaLake are not. We leave out the two
# crop classes: whether a field is green or bare soil depends on the date of
# the image, not on its label. Half of the 800 remaining images, stratified
# by class, are used to look at the data and learn rules; the other half
# only to assess them.
import matplotlib.pyplot as plt
import numpy as np

import classical
from classical.classifiers import RuleClassifier
from classical.datasets import ImageDataset, load_sample
from classical.descriptors import PixelRuleFeatures

vegetation = ["Forest", "HerbaceousVegetation", "Pasture"]
non_vegetation = ["Highway", "Industrial", "Residential", "River", "SeaLake"]
data = load_sample("eurosat")
keep = np.flatnonzero(np.isin(data.labels, vegetation + non_vegetation))
data = ImageDataset([data.images[i] for i in keep], data.labels[keep],
                    [data.paths[i] for i in keep])
train, test = data.split(test_size=0.5, random_state=0)


def group(labels):
    return np.where(np.isin(labels, vegetation), "vegetation", "other")


y_train, y_test = group(train.labels), group(test.labels)

# %%
# Pixel statistics
# ----------------
# :class:`~classical.descriptors.PixelRuleFeatures` measures, for each image,
# the fraction of pixels that meet named conditions, plus the mean
# brightness and saturation. The defaults include ``green_fraction`` (green
# above red and blue), ``exg_fraction`` (excess green ``2g - r - b`` on
# chromatic coordinates above 0.1) and ``bright_fraction`` (brightness above
# 0.8). We add one condition of our own, a weaker excess green
# (``exg > 0.05``), named ``greenish``; it becomes ``greenish_fraction``.
# The feature names are what the rules will refer to.

pixels = PixelRuleFeatures(conditions={"greenish": [("exg", ">", 0.05)]})
X_train = pixels.fit_transform(train.images)
X_test = pixels.transform(test.images)
names = list(pixels.get_feature_names_out())
print(names)

# %%
# Looking at the data
# -------------------
# One box per class (training half only), vegetation in green. The dashed
# lines are the thresholds used by the rules below.

shown = {
    "green_fraction": ("pixels with green > red, blue", [0.6]),
    "exg_fraction": ("pixels with exg > 0.1", []),
    "greenish_fraction": ("pixels with exg > 0.05", [0.5]),
    "bright_fraction": ("pixels with brightness > 0.8", [0.0]),
    "mean_saturation": ("mean saturation", [0.55]),
}
classes = vegetation + non_vegetation
short = {"HerbaceousVegetation": "Herbaceous"}  # shorter tick labels
fig, axes = plt.subplots(1, len(shown), figsize=(17, 4.6), layout="constrained")
for ax, (feature, (meaning, thresholds)) in zip(axes, shown.items()):
    column = X_train[:, names.index(feature)]
    box = ax.boxplot([column[train.labels == c] for c in classes], patch_artist=True,
                     widths=0.6, flierprops={"markersize": 3})
    for patch, label in zip(box["boxes"], classes):
        patch.set_facecolor("#5aae61" if label in vegetation else "#bababa")
    for threshold in thresholds:
        ax.axhline(threshold, color="black", linestyle="--", linewidth=1)
    ax.set_xticks(np.arange(1, len(classes) + 1), [short.get(c, c) for c in classes],
                  rotation=60, ha="right")
    ax.set_title(feature, fontsize=11)
    ax.set_ylabel(meaning)
    ax.grid(axis="y", alpha=0.3)
fig.suptitle("Pixel statistics per class (green: vegetation)", fontsize=13)

# %%
# What the boxes say:
#
# * ``green_fraction`` is close to 0 for most images, forests included;
#   only some pastures are mostly green. EuroSAT's images are Sentinel-2
#   top-of-atmosphere colour, where haze lifts the blue band, so even a
#   tree is rarely greener than it is blue. The textbook rule "mostly green
#   pixels" will find little.
# * Excess green at the usual threshold of 0.1 catches part of Pasture and
#   little of Forest; at 0.05 (``greenish_fraction``) it finds most of
#   Forest and Pasture, but HerbaceousVegetation -- grey-green scrub --
#   stays low, and rivers and some lakes look greenish too.
# * ``bright_fraction`` is exactly 0 for nearly all vegetation images, while
#   industrial areas, and many residential areas and highways, contain a
#   few bright roofs or roads.
# * Water is the most saturated: above a mean saturation of about 0.55
#   there are only lakes and a few rivers.
#
# Rules written by hand
# ---------------------
# A rule reads ``"<condition> and ... -> <class>"``; the first rule whose
# conditions hold decides, and a final bare class name catches the rest.
# The text is parsed by a small tokenizer, never evaluated as Python.
# ``feature_names`` tells the classifier which column each name refers to.
# Given rules learn nothing: ``fit`` only checks them against the feature
# names.

hand_written = {
    "textbook": ["green_fraction > 0.6 -> vegetation", "other"],
    "excess green": [
        "bright_fraction > 0 -> other",
        "greenish_fraction > 0.5 -> vegetation",
        "other",
    ],
}
reports = {}
for title, rules in hand_written.items():
    classifier = RuleClassifier(rules=rules, feature_names=names).fit(X_train, y_train)
    reports[title] = classical.evaluate(y_test, classifier.predict(X_test))
    print(f"{title:12s} accuracy {reports[title].accuracy:.3f}  "
          f"kappa {reports[title].kappa:.3f}")

# %%
# The textbook rule is barely better than calling everything "other" (kappa
# near 0). The excess-green rules do better but leave HerbaceousVegetation
# and greenish water on the wrong side.
#
# Rules learned from the data
# ---------------------------
# With ``rules=None`` the classifier grows a shallow decision tree on the
# training half and turns each leaf into a rule; the most common class
# becomes the default. ``max_depth`` bounds the number of conditions per
# rule, so the result stays readable.

learned = RuleClassifier(rules=None, max_depth=2, feature_names=names,
                         random_state=0).fit(X_train, y_train)
for rule in learned.rules_:
    print(rule)
print(f"otherwise -> {learned.default_}")
reports["learned (depth 2)"] = classical.evaluate(y_test, learned.predict(X_test))

# %%
# The tree chose to describe what vegetation is *not*: any bright pixel
# means a built-up area, a very saturated image means water, and what is
# left is vegetation. Its rules may include conditions that do not change
# the outcome (two rules that differ in one condition but give the same
# class); our reading of them fits in two lines, which we can write back as
# hand rules and check that they decide the test images the same way.
#
# :meth:`~classical.classifiers.RuleClassifier.apply` tells which rule
# decided each image, which shows how much each rule does.

simplified = RuleClassifier(
    rules=["bright_fraction > 0 -> other", "mean_saturation > 0.55 -> other",
           "vegetation"],
    feature_names=names,
).fit(X_train, y_train)
agreement = np.mean(simplified.predict(X_test) == learned.predict(X_test))
print(f"simplified rules agree with the learned ones on {agreement:.0%} of the test "
      "images")
decided_by = np.bincount(simplified.apply(X_test), minlength=len(simplified.rules_) + 1)
for rule, count in zip(simplified.rules_ + [f"default -> {simplified.default_}"],
                       decided_by):
    print(f"{count:4d} images decided by: {rule}")
reports["learned, simplified"] = classical.evaluate(y_test, simplified.predict(X_test))

# %%
# Comparing the rule sets
# -----------------------
# All four are assessed on the same 400 test images, which none of them saw.

fig, ax = plt.subplots(figsize=(8, 4.2), layout="constrained")
titles = list(reports)
positions = np.arange(len(titles))
for offset, metric, label in [(-0.2, "accuracy", "accuracy"),
                              (0.2, "kappa", "Cohen's kappa")]:
    bars = ax.bar(positions + offset, [getattr(reports[t], metric) for t in titles],
                  width=0.4, label=label)
    ax.bar_label(bars, fmt="%.2f", padding=2, fontsize=9)
ax.axhline(np.mean(y_test == "other"), color="gray", linestyle=":",
           label='accuracy of always "other"')
ax.set_xticks(positions, titles)
ax.set_ylim(0, 1)
ax.set_ylabel("score on the 400 test images")
ax.set_title("Vegetation vs non-vegetation from pixel rules")
ax.legend(loc="upper left", fontsize=9)

# %%
# The learned rules, once simplified, are three lines anyone can check, and
# they beat the rules we wrote. They are still far from perfect, and no
# rule on these features can be: in visible light, water, scrub and hazy
# forest share their colours. The band that separates vegetation from
# everything else is near infrared, where leaves are bright and water is
# dark; that is why vegetation is mapped with indices such as NDVI when the
# infrared band is available. The ``rules-vegetation`` preset packages pixel
# rules found in the way shown here.

plt.show()
