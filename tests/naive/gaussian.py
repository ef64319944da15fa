"""Plain NumPy twins of :mod:`classical._kernels.gaussian`: one sample at a time."""

import numpy as np

REJECT_NONE = 0
REJECT_DISTANCE = 1
REJECT_POSTERIOR = 2


def mahalanobis_block(X, start, stop, means, inv_chol, distances):
    """Squared Mahalanobis distance of rows ``start:stop`` to every class."""
    for i in range(start, stop):
        for k in range(means.shape[0]):
            whitened = inv_chol[k] @ (np.asarray(X[i], dtype=np.float64) - means[k])
            distances[k, i - start] = whitened @ whitened


def joint_log_likelihood(X, means, inv_chol, offsets, block_size):
    """``offsets[k] - 0.5 * distance**2`` for every sample and class."""
    distances = np.empty((means.shape[0], X.shape[0]))
    mahalanobis_block(X, 0, X.shape[0], means, inv_chol, distances)
    return offsets[np.newaxis, :] - 0.5 * distances.T


def classify_gaussian(X, means, inv_chol, offsets, reject_mode, reject_bound,
                      block_size):
    """Best class per sample; ``n_classes`` where the reject test fails."""
    n_classes = means.shape[0]
    distances = np.empty((n_classes, X.shape[0]))
    mahalanobis_block(X, 0, X.shape[0], means, inv_chol, distances)
    scores = offsets[np.newaxis, :] - 0.5 * distances.T
    labels = np.argmax(scores, axis=1)
    for i, label in enumerate(labels):
        if reject_mode == REJECT_DISTANCE:
            if distances[label, i] > reject_bound:
                labels[i] = n_classes
        elif reject_mode == REJECT_POSTERIOR:
            posterior = np.exp(scores[i] - scores[i].max())
            if posterior.sum() > reject_bound:
                labels[i] = n_classes
    return labels
