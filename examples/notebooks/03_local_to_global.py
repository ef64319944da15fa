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
# # 3. From local descriptors to one vector
#
# Notebook 2 ended with a problem. Dense SIFT describes an image by a *set* of
# 128-number vectors, one per patch, but a classifier such as an SVM wants
# *one* vector of fixed length per image. This notebook shows the three
# classical answers, on the same images and the same descriptors:
#
# 1. **Bag of visual words** [1]: learn a small dictionary of typical patches
#    (the *visual words*), then count how often each word occurs in the image.
# 2. **VLAD** [2]: for each word, add up *how the image's patches differ* from
#    it, not just how many there are.
# 3. **Fisher vectors** [3]: the same idea with soft membership in a mixture
#    of Gaussians, recording differences in both mean and spread.
#
# All three forget *where* a patch was, as a bag of words forgets word order
# in a text.

# %%
import time

import matplotlib.pyplot as plt
import numpy as np
from sklearn.svm import LinearSVC

import classical
from classical.datasets import load_sample
from classical.descriptors import DenseSIFTExtractor, LocalPCA
from classical.encoders import (
    BagOfVisualWords,
    FisherVectorEncoder,
    VisualVocabulary,
    VLADEncoder,
)
from classical.preprocess import to_grayscale

data = load_sample("eurosat")
train, test = data.split(test_size=0.3, random_state=0)
print(f"{len(train)} training and {len(test)} test images")

# %% [markdown]
# ## Local descriptors
#
# Dense SIFT on the grey image: a 16 x 16-pixel patch every 4 pixels, so each
# 64 x 64 image gives 13 x 13 = 169 descriptors. The extractor returns one
# *ragged* batch for all images: all descriptors stacked in one array, with
# each image's start in `offsets` and each patch centre in `positions`.
#
# Two standard steps follow [3, 4]: **RootSIFT** (take the square root of
# each L1-normalised descriptor, which makes Euclidean distance behave like a
# distance between histograms) and **PCA** down to 32 numbers, which keeps
# most of the variation and makes everything after it faster.

# %%
sift = DenseSIFTExtractor(step=4, bin_size=4)
grey_train = [to_grayscale(image) for image in train.images]
local_train = sift.fit_transform(grey_train)
local_test = sift.transform([to_grayscale(image) for image in test.images])
print(local_train)

reduce = LocalPCA(n_components=32, root=True, sample_size=20_000, random_state=0)
reduced_train = reduce.fit_transform(local_train)
reduced_test = reduce.transform(local_test)
kept = reduce.explained_variance_ratio_.sum()
print(f"PCA to 32 numbers keeps {kept:.0%} of the descriptors' variance")

# %% [markdown]
# ## Visual words
#
# A **visual vocabulary** is the result of k-means clustering on a sample of
# descriptors: each of the `n_words` cluster centres is a "word", a typical
# patch. Every descriptor is then replaced by the index of its nearest word.
# We take 16 words, few enough to look at all of them.

# %%
N_WORDS = 16
vocabulary = VisualVocabulary(n_words=N_WORDS, sample_size=10_000, random_state=0)
vocabulary.fit(reduced_train)
words = vocabulary.predict(reduced_train.descriptors)
print(f"{len(words)} training descriptors, share per word:",
      np.round(np.bincount(words, minlength=N_WORDS) / len(words), 3))

# %% [markdown]
# A word is a point in a 32-dimensional space, so we cannot draw it directly.
# We can draw the image patches closest to it: for each word, the six
# patches (from six different images) whose descriptors lie nearest to the
# word, with the class whose images use the word most, relative to its use
# overall. The patches are shown in grey, each stretched between its own
# darkest and brightest pixel, because that is what SIFT sees: it works on the
# grey image and normalises away brightness and contrast.

# %%
image_of = np.repeat(np.arange(len(train)), local_train.counts)
distance = np.linalg.norm(reduced_train.descriptors
                          - vocabulary.words_[words], axis=1)
use = np.zeros((len(train.class_names), N_WORDS))
for class_index, name in enumerate(train.class_names):
    in_class = train.labels[image_of] == name
    use[class_index] = np.bincount(words[in_class], minlength=N_WORDS) / in_class.sum()
favourite = np.array(train.class_names)[np.argmax(use / use.mean(axis=0), axis=0)]

PATCHES = 6
fig, axes = plt.subplots(N_WORDS // 2, 2 * PATCHES, figsize=(12, 9),
                         gridspec_kw={"wspace": 0.05, "hspace": 0.35})
for word in range(N_WORDS):
    members = np.flatnonzero(words == word)
    members = members[np.argsort(distance[members])]
    # the nearest patches, at most one per image
    _, first = np.unique(image_of[members], return_index=True)
    members = members[np.sort(first)][:PATCHES]
    row, start = word // 2, (word % 2) * PATCHES
    for column, member in enumerate(members):
        x, y = local_train.positions[member]
        left, top = int(x - 7.5), int(y - 7.5)  # the patch's first column, row
        patch = grey_train[image_of[member]][top:top + 16, left:left + 16]
        # stretched to its own darkest and brightest pixel, as SIFT ignores
        # brightness and contrast
        axes[row, start + column].imshow(patch, cmap="gray",
                                         vmin=patch.min(), vmax=patch.max())
    axes[row, start].set_title(f"word {word}: {favourite[word]}", fontsize=8,
                               loc="left")
for ax in axes.ravel():
    ax.set_axis_off()
plt.show()

# %% [markdown]
# Most words read well once we look at them this way: stripes or a single
# edge running in one direction (field rows, roads, river banks), the same in
# another direction, a fine speckle (tree crowns, roofs), or patches that are
# nearly flat. Dense SIFT gives a patch with almost no gradient an all-zero
# descriptor (see its `contrast_threshold`), so nearly all of a lake's
# patches fall into a single word, as the lake's bag of words below shows.
# Words are shared by many classes: what differs from class to class is *how
# often* each word occurs.
#
# ## Bag of visual words: counting
#
# `BagOfVisualWords` counts the words of each image. Given our fitted
# `vocabulary`, it uses those same 16 words. With `normalize="l1"` the counts
# become shares that sum to 1.

# %%
examples = [list(train.labels).index(name)
            for name in ["Forest", "Highway", "Residential", "SeaLake"]]
bag = BagOfVisualWords(vocabulary=vocabulary, normalize="l1")
bag.fit(reduced_train)

fig, axes = plt.subplots(2, 4, figsize=(13, 5.6), layout="constrained",
                         gridspec_kw={"height_ratios": [1, 1.1]})
for column, index in enumerate(examples):
    histogram = bag.transform(reduced_train.image(index))[0]
    axes[0, column].imshow(train.images[index])
    axes[0, column].set_title(train.labels[index])
    axes[0, column].set_axis_off()
    axes[1, column].bar(np.arange(N_WORDS), histogram, color="tab:blue")
    axes[1, column].set(ylim=(0, 1), xlabel="word", xticks=range(0, N_WORDS, 3))
axes[1, 0].set_ylabel("share of the image's patches")
plt.show()

# %% [markdown]
# Sixteen numbers per image, whatever the number of patches. The flat images
# pile up in a few words; the busy ones spread over many.
#
# ## VLAD: how the patches differ from their word
#
# Counting throws away a lot: two images whose patches fall into the same
# words get the same histogram, even if one image's edges are all slightly
# sharper. VLAD (Vector of Locally Aggregated Descriptors) [2] keeps, for each
# word, the **sum of the differences** between the word and the descriptors
# assigned to it. With 16 words of 32 numbers that is 16 x 32 = 512 numbers,
# from the *same* vocabulary. The vector is then normalised in three steps:
# each word's sum to unit length, a signed square root of every number, and
# the whole vector to unit length. That stops a few frequent words from
# dominating.

# %%
vlad = VLADEncoder(vocabulary=vocabulary).fit(reduced_train)
fig, axes = plt.subplots(1, 4, figsize=(13, 3.6), layout="constrained")
for ax, index in zip(axes, examples):
    vector = vlad.transform(reduced_train.image(index))[0]
    limit = np.abs(vector).max()
    ax.imshow(vector.reshape(N_WORDS, -1), cmap="RdBu_r", vmin=-limit,
              vmax=limit, aspect="auto")
    ax.set(title=train.labels[index], xlabel="PCA component", ylabel="word")
plt.show()

# %% [markdown]
# Each row is one word; an empty row is a word the image never uses. Where
# the bag of words only said "this word is used a lot", VLAD also says in
# which direction the image's patches lean away from it.
#
# Note the lake: a word used by a single patch on the shore gets a row as
# strong as the word that holds nearly all the water. That is the per-word
# ("intra") normalisation at work: it stops one very frequent word, here the
# flat one, from drowning out the rest [6].
#
# ## Fisher vectors: soft words with a spread
#
# The Fisher vector [3] replaces the k-means words with a **Gaussian mixture
# model**: each component has a mean, a spread (variance) per dimension and a
# weight, and every patch belongs to every component with some probability.
# The image is described by how it would pull each component's mean and
# spread to fit its own patches better (mathematically, the gradient of the
# log-likelihood). With 8 components that gives 2 x 8 x 32 = 512 numbers,
# as many as our VLAD.

# %%
fisher = FisherVectorEncoder(n_components=8, sample_size=10_000, random_state=0)
fisher.fit(reduced_train)
print("Fisher vector length:", fisher.transform(reduced_train.image(0)).shape[1])

# %% [markdown]
# ## Compared on the same images
#
# Now the test: each encoding of the 700 training images feeds the same
# linear SVM, which is graded on the 300 test images. To compare at equal
# length we add a bag of words with its own 512-word vocabulary. (With so
# few images, one or two points of accuracy are within the noise of the
# split; see notebook 1.)

# %%
started = time.perf_counter()
big_bag = BagOfVisualWords(n_words=512, sample_size=10_000, normalize="power+l2",
                           random_state=0).fit(reduced_train)
print(f"k-means with 512 words: {time.perf_counter() - started:.1f} s")
encoders = {
    "bag of words, 16 words": BagOfVisualWords(
        vocabulary=vocabulary, normalize="power+l2").fit(reduced_train),
    "bag of words, 512 words": big_bag,
    "VLAD, 16 words": vlad,
    "Fisher vector, 8 Gaussians": fisher,
}
results = {}
for name, encoder in encoders.items():
    X_train = encoder.transform(reduced_train)
    X_test = encoder.transform(reduced_test)
    classifier = LinearSVC(C=1.0).fit(X_train, train.labels)
    report = classical.evaluate(test.labels, classifier.predict(X_test))
    results[name] = (X_train.shape[1], report.accuracy)
    print(f"{name:28s} {X_train.shape[1]:4d} numbers   accuracy {report.accuracy:.3f}")

# %%
fig, ax = plt.subplots(figsize=(8, 3.2), layout="constrained")
names = list(results)
bars = ax.barh(names, [results[name][1] for name in names], color="tab:blue")
ax.bar_label(bars, [f"{results[n][1]:.2f}  ({results[n][0]} numbers)" for n in names],
             padding=3)
ax.set(xlim=(0, 1), xlabel="test accuracy (300 images)")
ax.invert_yaxis()
plt.show()

# %% [markdown]
# What the numbers say on this sample (300 test images, so differences of a
# few points are within the noise of the split):
#
# * From the **same 16 words**, VLAD's 512 numbers do better than counting
#   them: the differences carry information that counting throws away.
# * A bag of words needs **many more words** to do as well (here 512), which
#   means a much larger k-means; VLAD and Fisher vectors get their length
#   from a small vocabulary.
# * The **Fisher vector**, with soft membership and second-order (spread)
#   statistics, is clearly the best of the three at the same length, as in
#   the literature [3, 5].
#
# None of these alone reaches the `global-svm` preset of notebook 1 (about
# 0.88): on 64 x 64 satellite patches colour matters, and these descriptors
# are grey. The `scene-best` preset combines Fisher vectors of grey and
# colour descriptors with global features.
#
# ## References
#
# [1] G. Csurka, C. R. Dance, L. Fan, J. Willamowski and C. Bray, "Visual
# categorization with bags of keypoints", *ECCV Workshop on Statistical
# Learning in Computer Vision*, 2004 (no DOI; see also J. Sivic and A.
# Zisserman, "Video Google", *ICCV* 2003,
# [doi:10.1109/ICCV.2003.1238663](https://doi.org/10.1109/ICCV.2003.1238663)).
#
# [2] H. Jégou, M. Douze, C. Schmid and P. Pérez, "Aggregating local
# descriptors into a compact image representation", *CVPR* 2010.
# [doi:10.1109/CVPR.2010.5540039](https://doi.org/10.1109/CVPR.2010.5540039)
#
# [3] F. Perronnin, J. Sánchez and T. Mensink, "Improving the Fisher kernel
# for large-scale image classification", *ECCV* 2010.
# [doi:10.1007/978-3-642-15561-1_11](https://doi.org/10.1007/978-3-642-15561-1_11)
# The longer account: J. Sánchez, F. Perronnin, T. Mensink and J. Verbeek, "Image
# classification with the Fisher vector: theory and practice", *IJCV* 105(3),
# 2013. [doi:10.1007/s11263-013-0636-x](https://doi.org/10.1007/s11263-013-0636-x)
#
# [4] R. Arandjelović and A. Zisserman, "Three things everyone should know to
# improve object retrieval", *CVPR* 2012 (RootSIFT).
# [doi:10.1109/CVPR.2012.6248018](https://doi.org/10.1109/CVPR.2012.6248018)
#
# [5] K. Chatfield, V. Lempitsky, A. Vedaldi and A. Zisserman, "The devil is
# in the details: an evaluation of recent feature encoding methods", *BMVC*
# 2011. [doi:10.5244/C.25.76](https://doi.org/10.5244/C.25.76)
#
# [6] R. Arandjelović and A. Zisserman, "All about VLAD", *CVPR* 2013.
# [doi:10.1109/CVPR.2013.207](https://doi.org/10.1109/CVPR.2013.207)
