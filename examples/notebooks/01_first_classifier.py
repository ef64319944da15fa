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
# # 1. Your first image classifier, and how to read its report
#
# An image classifier takes a picture and answers with one of a fixed list of
# class names. In this notebook we train one on real satellite images, in ten
# lines of Python, and then spend the rest of the time on the question that
# matters more: **how good is it, and how do we know?**
#
# The images are the sample of EuroSAT [1] that ships with `classical`: 1,000
# patches of 64 x 64 pixels cut from Sentinel-2 satellite images of Europe,
# 100 for each of 10 land-use classes (forest, river, highway, residential
# area, ...). No download is needed.
#
# [1] P. Helber, B. Bischke, A. Dengel and D. Borth, "EuroSAT: A novel dataset
# and deep learning benchmark for land use and land cover classification",
# *IEEE J. Sel. Top. Appl. Earth Obs. Remote Sens.* 12(7), 2019.
# [doi:10.1109/JSTARS.2019.2918242](https://doi.org/10.1109/JSTARS.2019.2918242)

# %% [markdown]
# ## The ten lines
#
# 1. load the images and their labels;
# 2. split them into a **training set** (80%), which the model learns from,
#    and a **test set** (20%), which it never sees until we grade it;
# 3. build a ready-made pipeline (a *preset*) and fit it on the training set;
# 4. predict the test images and compare the answers with the true labels.

# %%
import classical
from classical.datasets import load_sample

data = load_sample("eurosat")
train, test = data.split(test_size=0.2, random_state=0)
model = classical.make_pipeline("global-svm")
model.fit(train.images, train.labels)
predicted = model.predict(test.images)
report = classical.evaluate(test.labels, predicted)
print(f"accuracy on {len(test)} unseen images: {report.accuracy:.3f}")

# %% [markdown]
# That is the whole classifier. `random_state=0` fixes the random split, so
# you get the same numbers every time you run the notebook.
#
# ## What is inside the pipeline?
#
# A *pipeline* is a chain of steps, each a scikit-learn estimator. Printing it
# shows the chain:

# %%
print(model)

# %% [markdown]
# * `GlobalFeaturesExtractor` turns each image into a list of 675 numbers (a
#   *feature vector*) that describe its colours, its fine texture and the
#   coarse direction of its edges. Notebook 2 shows what these descriptors
#   look at.
# * `StandardScaler` puts every feature on the same scale (mean 0, standard
#   deviation 1), so that no feature dominates just because of its units.
# * `SVC` is a support vector machine, a classifier that learns boundaries
#   between the classes in that 675-dimensional space; the calibration
#   wrapper around it turns its scores into probabilities.
#
# The presets are only names for such chains. Here are the ones for images:

# %%
for name, description in classical.list_pipelines().items():
    if not name.startswith(("pixel", "deep", "hybrid")):
        print(f"{name:18s} {description}")

# %% [markdown]
# ## Reading the report
#
# `classical.evaluate` compares the true labels with the predictions and
# returns a `Report`. Its Markdown rendering has three parts: a summary, a
# table per class and the confusion matrix.

# %%
print(report.to_markdown())

# %% [markdown]
# **The summary.**
#
# * *Overall accuracy*: the share of test images classified right.
# * *Majority baseline*: the accuracy of a "classifier" that always answers
#   the most common class. Here every class has 20 test images, so the
#   baseline is 10%; on imbalanced data it can be 90%, and an accuracy of 91%
#   would then be almost worthless. Always read the accuracy next to it.
# * *Balanced accuracy*: the mean over classes of the share found, so a rare
#   class weighs as much as a common one. Equal to the accuracy here, because
#   the classes are balanced.
# * *Cohen's kappa* [2]: the accuracy corrected for the agreement expected by
#   chance; 0 means no better than guessing with the right class proportions,
#   1 means perfect.
#
# **Per class.** Two questions, two numbers:
#
# * *Recall* (remote sensing calls it **producer's accuracy**): of the images
#   that truly are forest, how many did the model call forest?
# * *Precision* (**user's accuracy**): of the images the model called forest,
#   how many truly are forest? This is what a *user* of the answers cares
#   about.
# * *F1* is their harmonic mean. Congalton [3] explains why a map maker and a
#   map user need different numbers.
#
# ## The confusion matrix
#
# Row = the true class, column = the answer. The diagonal holds the right
# answers; every number off the diagonal is a mistake, and *where* it lies
# says which class was taken for which.

# %%
import matplotlib.pyplot as plt
import numpy as np

fig, axes = plt.subplots(1, 2, figsize=(15, 6.5), layout="constrained")
report.plot_confusion(ax=axes[0])
axes[0].set_title("counts")
report.plot_confusion(normalize="true", ax=axes[1])
axes[1].set_title("share of each true class (rows sum to 1)")
plt.show()

# %% [markdown]
# Reading the matrix row by row shows which mistakes the model makes. We can
# also let the code find the largest off-diagonal cells:

# %%
matrix = report.confusion_matrix.copy()
np.fill_diagonal(matrix, 0)
for flat in np.argsort(matrix, axis=None)[::-1][:4]:
    true_index, predicted_index = np.unravel_index(flat, matrix.shape)
    print(f"{matrix[true_index, predicted_index]} {report.labels[true_index]} "
          f"images were called {report.labels[predicted_index]}")

# %% [markdown]
# ## Look at the mistakes
#
# Numbers do not tell you *why*. Looking at the misclassified images often
# does: some are hard even for a person, some are labelling errors in the
# dataset, and some show what the features miss.

# %%
wrong = np.flatnonzero(predicted != test.labels)
fig, axes = plt.subplots(2, 6, figsize=(14, 5.4), layout="constrained")
for ax, index in zip(axes.ravel(), wrong):
    ax.imshow(test.images[index])
    ax.set_title(f"true: {test.labels[index]}\nsaid: {predicted[index]}",
                 fontsize=9)
for ax in axes.ravel():
    ax.set_axis_off()
plt.show()

# %% [markdown]
# Several of these images hold two classes at once: a river between two
# fields, a highway through a residential area, a river beside houses. The
# dataset gives each image one label, and the model can only answer one, so
# some "mistakes" are really a second correct answer. Others, such as a
# smooth green field taken for a lake, show what colour and texture alone
# cannot separate.
#
# ## How sure are we of the accuracy?
#
# The test set has only 200 images, so the accuracy itself is uncertain: with
# another random split it would come out somewhat different. If each test
# image is an independent coin toss that lands "right" with probability *p*,
# the standard error of the measured accuracy is sqrt(p (1 - p) / n).

# %%
n = report.n_samples
standard_error = np.sqrt(report.accuracy * (1 - report.accuracy) / n)
print(f"accuracy {report.accuracy:.3f} +/- {1.96 * standard_error:.3f} "
      f"(95% interval, {n} test images)")
print("one image of a 20-image class moves its recall by "
      f"{1 / 20:.0%}")

# %% [markdown]
# So "87.5%" really means "somewhere between about 83% and 92%", and two
# models whose accuracies differ by two points on this test set cannot be
# told apart. Per-class figures are far noisier still.
#
# ## A report that warns you
#
# To see why the majority baseline is in the summary, grade a useless
# classifier that always answers "Forest" on a test set where most images
# are forests. The report flags it.

# %%
forest_heavy = np.array(["Forest"] * 90 + ["River"] * 10)
always_forest = np.array(["Forest"] * 100)
useless = classical.evaluate(forest_heavy, always_forest)
print(f"accuracy {useless.accuracy:.2f}, balanced accuracy "
      f"{useless.balanced_accuracy:.2f}, kappa {useless.kappa:.2f}")
for warning in useless.warnings:
    print("WARNING:", warning)

# %% [markdown]
# 90% accuracy, yet the balanced accuracy (50%) and kappa (0) tell the truth.
#
# ## What to try next
#
# * Swap `"global-svm"` for another preset from the list above (`"hog-svm"`,
#   `"lbp-knn"`, `"color-rf"`) and compare the reports. Which classes does
#   each one confuse?
# * Train on your own images: `classical.datasets.load_folder("my_images")`
#   reads a folder with one sub-folder per class.
# * Save the model with `classical.save(model, "model.skops")` and load it
#   back with `classical.load`.
#
# ## References
#
# [2] J. Cohen, "A coefficient of agreement for nominal scales", *Educational
# and Psychological Measurement* 20(1), 1960.
# [doi:10.1177/001316446002000104](https://doi.org/10.1177/001316446002000104)
#
# [3] R. G. Congalton, "A review of assessing the accuracy of classifications
# of remotely sensed data", *Remote Sensing of Environment* 37(1), 1991.
# [doi:10.1016/0034-4257(91)90048-B](https://doi.org/10.1016/0034-4257(91)90048-B)
