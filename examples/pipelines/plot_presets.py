"""
==========================================
Presets: named, ordinary sklearn pipelines
==========================================

:func:`classical.make_pipeline` builds a ready-made chain of descriptor and
classifier by name. This example trains four of them on the bundled EuroSAT
sample -- HOG with an SVM, multi-scale LBP with k-nearest neighbours, colour
with a random forest, and all of these descriptors together with an SVM --
compares their test accuracy, and looks at the confusion matrix of the best.

It also shows that a preset hides nothing: it is a plain
:class:`sklearn.pipeline.Pipeline`, whose steps can be printed, whose
parameters can be changed with ``set_params`` and which works with any
scikit-learn tool.
"""

# %%
# The presets
# -----------
# :func:`classical.list_pipelines` names each preset and says what it chains.
import time

import matplotlib.pyplot as plt
import numpy as np
from sklearn.pipeline import Pipeline

import classical
from classical.datasets import load_sample

for name, description in classical.list_pipelines().items():
    print(f"{name:18s} {description}")

# %%
# A preset is an ordinary Pipeline
# --------------------------------
# The object returned is a scikit-learn :class:`~sklearn.pipeline.Pipeline`
# built from public steps. Its ``steps`` list names each stage; a nested
# parameter is addressed as ``<step>__<parameter>``, exactly as for any
# pipeline.

pipe = classical.make_pipeline("hog-svm")
print(isinstance(pipe, Pipeline))
for step_name, step in pipe.steps:
    print(f"{step_name:9s} {step!r}")

# %%
# The SVM of this preset is wrapped in a
# :class:`~sklearn.calibration.CalibratedClassifierCV` (so that it gives
# probabilities), hence the ``svm__estimator__C`` path to its ``C``.
# ``set_params`` changes it in place; passing the same keyword to
# :func:`classical.make_pipeline` does it at construction.

pipe.set_params(svm__estimator__C=1.0)
print(pipe.get_params()["svm__estimator__C"])
smaller_forest = classical.make_pipeline("color-rf", forest__n_estimators=100)
print(smaller_forest.named_steps["forest"])

# %%
# Training four presets
# ---------------------
# We split the 1,000 images 80/20, stratified by class with a fixed seed, fit
# each preset on the 800 training images and assess it on the 200 test
# images with :func:`classical.evaluate`. Each preset gets the images
# themselves: description happens inside the pipeline.

train, test = load_sample("eurosat").split(test_size=0.2, random_state=0)
names = ["hog-svm", "lbp-knn", "color-rf", "global-svm"]
reports, fit_seconds = {}, {}
for name in names:
    model = classical.make_pipeline(name)
    start = time.perf_counter()
    model.fit(train.images, train.labels)
    fit_seconds[name] = time.perf_counter() - start
    reports[name] = classical.evaluate(test.labels, model.predict(test.images))
    print(f"{name:11s} accuracy {reports[name].accuracy:.3f}  "
          f"kappa {reports[name].kappa:.3f}  fit {fit_seconds[name]:.1f} s")

# %%
# Accuracy and kappa side by side. Kappa discounts the agreement expected by
# chance (10 % here, with 10 balanced classes), so it is a little lower than
# accuracy. The fit time includes describing the 800 images (the first run
# on a machine also compiles the Numba kernels, which are then cached).

fig, (ax_score, ax_time) = plt.subplots(1, 2, figsize=(11, 4.2), layout="constrained",
                                        gridspec_kw={"width_ratios": [2, 1]})
positions = np.arange(len(names))
accuracy = [reports[name].accuracy for name in names]
kappa = [reports[name].kappa for name in names]
for offset, values, label in [(-0.2, accuracy, "accuracy"),
                              (0.2, kappa, "Cohen's kappa")]:
    bars = ax_score.bar(positions + offset, values, width=0.4, label=label)
    ax_score.bar_label(bars, fmt="%.2f", padding=2, fontsize=9)
ax_score.set_xticks(positions, names)
ax_score.set_ylim(0, 1.1)
ax_score.set_ylabel("score on the 200 test images")
ax_score.set_title("Test scores of four presets")
ax_score.legend(loc="upper left", ncol=2)
ax_time.barh(positions, [fit_seconds[name] for name in names], color="gray")
ax_time.set_yticks(positions, names)
ax_time.invert_yaxis()
ax_time.set_xlabel("seconds")
ax_time.set_title("Fit time on 800 images")

# %%
# Each descriptor alone captures part of what separates the classes (see the
# descriptors example): HOG sees edge directions but not colour, the LBP
# histograms see texture, the colour features see neither shape nor texture.
# ``global-svm`` concatenates them and does best.
#
# Where the best preset still errs
# --------------------------------
# :meth:`~classical.Report.plot_confusion` draws the confusion matrix; with
# ``normalize="true"`` each row is divided by the number of test images of
# that class, so the diagonal is each class's producer's accuracy (recall).

best = max(names, key=lambda name: reports[name].accuracy)
fig, ax = plt.subplots(figsize=(8, 7), layout="constrained")
reports[best].plot_confusion(normalize="true", ax=ax)
ax.set_title(f"{best}: confusion matrix, rows normalised "
             f"(accuracy {reports[best].accuracy:.2f})")

# %%
# The remaining errors are between classes that share their land cover:
# the crop classes, pasture and herbaceous vegetation are all fields of
# green or brown; industrial and residential areas are both roofs and
# streets; highways and rivers are thin lines crossing fields. The report
# holds the numbers behind the figure: per class, the producer's accuracy
# (how much of the class was found) and the user's accuracy (how often a
# label of that class is right).

report = reports[best]
for label, producers, users in zip(report.labels, report.producers_accuracy,
                                   report.users_accuracy):
    print(f"{label:22s} producer's {producers:.2f}   user's {users:.2f}")

# %%
# ``report.to_markdown()`` and ``report.to_json()`` write the full
# assessment (summary, per-class table and confusion matrix) for a document
# or another program.

plt.show()
