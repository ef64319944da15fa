"""
============================================================
Gaussian maximum likelihood vs an SVM, and the reject option
============================================================

The Gaussian maximum-likelihood classifier (MLC) is the workhorse of
remote-sensing classification: one multivariate normal per class, fitted in
closed form, with an answer that comes with a probability model. A support
vector machine with an RBF kernel assumes no distribution at all. This example
trains both on the same global image features of the EuroSAT sample and
compares them with :func:`classical.evaluate`.

Two things are shown on the way:

* MLC estimates a full covariance matrix per class, so it needs the features
  compressed first (here by PCA); we choose the dimension by cross-validation
  and see why it must stay small;
* MLC's **reject option**: a sample too far from its winning class (a
  chi-square test on the Mahalanobis distance) is labelled ``"unknown"``
  instead of being forced into a class. We trace accuracy on the accepted
  samples against the fraction rejected, and check what the test is good
  for: spotting images of a class the model never saw.
"""

# %%
# Features
# --------
# We reuse the feature step of the ``global-svm`` preset (HOG, colour LBP,
# an HSV histogram and Lab colour moments, concatenated) and compute it once
# for the training and test images, so both classifiers see exactly the same
# numbers. The split is stratified 80/20 with a fixed seed.
import matplotlib.pyplot as plt
import numpy as np
from sklearn.decomposition import PCA
from sklearn.model_selection import StratifiedKFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

import classical
from classical.classifiers import GaussianMLClassifier
from classical.datasets import load_sample

train, test = load_sample("eurosat").split(test_size=0.2, random_state=0)
features = classical.make_pipeline("global-svm").named_steps["features"]
X_train = features.fit_transform(train.images)
X_test = features.transform(test.images)
y_train, y_test = train.labels, test.labels
print(f"{X_train.shape[0]} training and {X_test.shape[0]} test images, "
      f"{X_train.shape[1]} features each")


def mlc(n_components, **params):
    """Scaling, PCA to ``n_components`` and Gaussian maximum likelihood."""
    return make_pipeline(StandardScaler(), PCA(n_components, svd_solver="full"),
                         GaussianMLClassifier(**params))


def svm():
    """Scaling and an RBF SVM."""
    return make_pipeline(StandardScaler(), SVC(kernel="rbf", C=10.0, gamma="scale"))


# %%
# How many dimensions can MLC afford?
# -----------------------------------
# With ``d`` features, each class needs a mean (``d`` numbers) and a
# covariance (``d (d + 1) / 2`` numbers), estimated here from 80 training
# images per class. At ``d = 40`` that is 820 numbers per class: far more
# than the data can pin down, even with the classifier's default shrinkage
# (``reg_param=0.01``). The SVM only needs distances between samples, so it
# copes with many dimensions. We score both with 5-fold cross-validation *on
# the training set* for a range of PCA dimensions; the test set stays unseen
# until the end.
#
# Principal components are nested -- the first ``d`` components of a PCA
# are the same however many are kept -- so one PCA per fold, fitted on that
# fold's training part only, serves every dimension: we keep its first ``d``
# columns.

dimensions = [2, 5, 10, 20, 40, 80]
folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=0)
cv_mlc = np.zeros((folds.n_splits, len(dimensions)))
cv_svm = np.zeros((folds.n_splits, len(dimensions)))
for fold, (fit, held_out) in enumerate(folds.split(X_train, y_train)):
    project = make_pipeline(StandardScaler(),
                            PCA(max(dimensions), svd_solver="full")).fit(X_train[fit])
    Z_fit = project.transform(X_train[fit])
    Z_held_out = project.transform(X_train[held_out])
    for i, d in enumerate(dimensions):
        for scores, model in [(cv_mlc, GaussianMLClassifier()),
                              (cv_svm, SVC(kernel="rbf", C=10.0, gamma="scale"))]:
            model.fit(Z_fit[:, :d], y_train[fit])
            scores[fold, i] = model.score(Z_held_out[:, :d], y_train[held_out])
cv_mlc, cv_svm = cv_mlc.mean(axis=0), cv_svm.mean(axis=0)
cv_svm_all = cross_val_score(svm(), X_train, y_train, cv=folds).mean()
best_dimension = dimensions[int(np.argmax(cv_mlc))]
print(f"MLC is best with {best_dimension} principal components "
      f"(cross-validated accuracy {cv_mlc.max():.3f})")

fig, ax = plt.subplots(figsize=(7, 4.5), layout="constrained")
ax.plot(dimensions, cv_mlc, "o-", label="Gaussian ML (PCA first)")
ax.plot(dimensions, cv_svm, "s-", label="RBF SVM (PCA first)")
ax.axhline(cv_svm_all, color="C1", linestyle="--",
           label=f"RBF SVM on all {X_train.shape[1]} features")
ax.axvline(best_dimension, color="gray", linestyle=":", linewidth=1)
ax.set_xscale("log")
ax.minorticks_off()
ax.set_xticks(dimensions, [str(d) for d in dimensions])
ax.set_xlabel("number of principal components")
ax.set_ylabel("5-fold cross-validated accuracy")
ax.set_title("MLC needs few dimensions; the SVM keeps improving")
ax.legend(loc="lower right")
ax.grid(alpha=0.3)

# %%
# The curve rises for both classifiers while PCA keeps useful variation, but
# MLC levels off and then slowly falls as its covariance matrices become
# guesswork, while the SVM keeps gaining from extra dimensions, up to about
# the accuracy it reaches on the full feature vector.
#
# Test-set comparison
# -------------------
# We now fit MLC with the chosen dimension and the SVM on all features, on
# the whole training set, and assess both on the test set.
# :func:`classical.evaluate` returns a :class:`~classical.Report` with the
# overall accuracy, Cohen's kappa (agreement beyond chance) and the per-class
# producer's and user's accuracies.

models = {
    f"Gaussian ML ({best_dimension} PCs)": mlc(best_dimension).fit(X_train, y_train),
    "RBF SVM (all features)": svm().fit(X_train, y_train),
}
reports = {name: classical.evaluate(y_test, model.predict(X_test))
           for name, model in models.items()}
for name, report in reports.items():
    print(f"{name:26s} accuracy {report.accuracy:.3f}   kappa {report.kappa:.3f}")

# %%
# Per class, the producer's accuracy (the share of a class's test images
# labelled correctly) shows where MLC loses to the SVM and where the two are
# level.

fig, ax = plt.subplots(figsize=(9, 4.5), layout="constrained")
labels = next(iter(reports.values())).labels
positions = np.arange(len(labels))
for offset, (name, report) in zip([-0.2, 0.2], reports.items()):
    ax.bar(positions + offset, report.producers_accuracy, width=0.4,
           label=f"{name}: accuracy {report.accuracy:.2f}, kappa {report.kappa:.2f}")
ax.set_xticks(positions, labels, rotation=30, ha="right")
ax.set_ylabel("producer's accuracy (recall)")
ax.set_ylim(0, 1.25)
ax.set_yticks(np.linspace(0, 1, 6))
ax.set_title("Per-class accuracy on the 200 test images")
ax.legend(loc="upper center", ncol=2, fontsize=9)

# %%
# The reject option
# -----------------
# With ``reject_threshold=alpha`` and ``reject_method="chi2"`` (the default
# test), a sample is rejected when its squared Mahalanobis distance to the
# winning class exceeds the ``1 - alpha`` quantile of the chi-square
# distribution, i.e. when it lies outside the region that holds ``1 - alpha``
# of that class's Gaussian. Raising ``alpha`` shrinks the accepted regions.
# The reject parameters are read at prediction time, so we change them with
# ``set_params`` on the fitted pipeline, without fitting again.
#
# For comparison we also trace the ``"posterior"`` test, which rejects a
# sample whose largest posterior probability is below the threshold: it
# removes *ambiguous* samples (between two classes), where the chi-square
# test removes *atypical* ones (far from every class).

model = models[f"Gaussian ML ({best_dimension} PCs)"]


def reject_curve(method, thresholds):
    rejected, accuracy = [], []
    for threshold in thresholds:
        model.set_params(gaussianmlclassifier__reject_method=method,
                         gaussianmlclassifier__reject_threshold=threshold)
        predicted = model.predict(X_test)
        accepted = predicted != "unknown"
        rejected.append(1.0 - accepted.mean())
        accuracy.append(classical.evaluate(y_test[accepted],
                                           predicted[accepted]).accuracy)
    return np.array(rejected), np.array(accuracy)


alphas = [1e-6, 1e-4, 1e-3, 0.01, 0.03, 0.1, 0.2, 0.3, 0.5, 0.7]
posteriors = [0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99, 0.999]
chi2_rejected, chi2_accuracy = reject_curve("chi2", alphas)
post_rejected, post_accuracy = reject_curve("posterior", posteriors)
model.set_params(gaussianmlclassifier__reject_threshold=None)

fig, ax = plt.subplots(figsize=(7, 4.8), layout="constrained")
ax.plot(chi2_rejected, chi2_accuracy, "o-", label="chi-square test (alpha)")
ax.plot(post_rejected, post_accuracy, "s-", label="posterior test (threshold)")
for alpha, x, y in zip(alphas, chi2_rejected, chi2_accuracy):
    if alpha in (0.01, 0.1, 0.3, 0.7):
        ax.annotate(f"alpha={alpha:g}", (x, y), textcoords="offset points",
                    xytext=(6, -12), fontsize=8, color="C0")
ax.axhline(reports[f"Gaussian ML ({best_dimension} PCs)"].accuracy, color="gray",
           linestyle=":", label="no rejection")
ax.set_xlabel("fraction of test images rejected")
ax.set_ylabel("accuracy on the accepted images")
ax.set_title("Trading coverage for accuracy with the reject option")
ax.set_xlim(-0.02, 1)
ax.legend(loc="lower right")
ax.grid(alpha=0.3)

# %%
# Both tests buy accuracy with coverage. For the same fraction rejected, the
# posterior test gains more, because most errors fall between two classes
# that look alike, which is exactly where the posterior is low. The
# chi-square test answers another question -- "does this image look like
# anything I was trained on?" -- so its real use is catching images of a
# class the model has never seen.
#
# Spotting an unseen class
# ------------------------
# We train MLC without any SeaLake image and ask, at ``alpha = 0.01``, which
# test images it rejects. Then we repeat with Pasture left out instead.

for unseen in ["SeaLake", "Pasture"]:
    seen = y_train != unseen
    detector = mlc(best_dimension, reject_threshold=0.01).fit(X_train[seen],
                                                              y_train[seen])
    rejected = detector.predict(X_test) == "unknown"
    is_unseen = y_test == unseen
    print(f"trained without {unseen:8s}: rejects {rejected[is_unseen].mean():4.0%} "
          f"of the {unseen} test images and {rejected[~is_unseen].mean():4.0%} of "
          "the others")

# %%
# Water looks like no land class, so most sea images fall outside every
# class's accepted region and are flagged instead of being called Forest or
# River. Pasture, on the other hand, looks much like herbaceous vegetation,
# so its images land inside that class's region and are accepted --
# wrongly. The chi-square test detects *unfamiliar* images, not *wrong*
# answers; no threshold can flag a new class that resembles a known one.

plt.show()
