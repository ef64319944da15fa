"""Plain NumPy twins of :mod:`classical._kernels.gaussian`: one sample at a time.

Also the model-level reference :func:`log_joint_densities`, the class scores
of a Gaussian maximum-likelihood classifier from SciPy's multivariate normal,
which every supported scikit-learn version can be compared with (scikit-learn's
QDA has the same shrinkage only from 1.8).
"""

import numpy as np
from scipy import stats

REJECT_NONE = 0
REJECT_DISTANCE = 1
REJECT_POSTERIOR = 2


def mahalanobis_block(X, start, stop, means, inv_chol, triangular, distances):
    """Squared Mahalanobis distance of rows ``start:stop`` to every class.

    ``triangular`` says that only the lower triangle is to be read: the
    upper one is then zeroed here.
    """
    if triangular:
        inv_chol = np.tril(inv_chol)
    for i in range(start, stop):
        for k in range(means.shape[0]):
            whitened = inv_chol[k] @ (np.asarray(X[i], dtype=np.float64) - means[k])
            distances[k, i - start] = whitened @ whitened


def joint_log_likelihood(X, means, inv_chol, offsets, block_size):
    """``offsets[k] - 0.5 * distance**2`` for every sample and class."""
    distances = np.empty((means.shape[0], X.shape[0]))
    mahalanobis_block(X, 0, X.shape[0], means, inv_chol, True, distances)
    return offsets[np.newaxis, :] - 0.5 * distances.T


def classify_gaussian(X, means, inv_chol, offsets, reject_mode, reject_bound,
                      block_size, triangular=True):
    """Best class per sample; ``n_classes`` where the reject test fails."""
    n_classes = means.shape[0]
    distances = np.empty((n_classes, X.shape[0]))
    mahalanobis_block(X, 0, X.shape[0], means, inv_chol, triangular, distances)
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


def shrunk_covariance(samples, reg_param):
    """(1 - r) * S + r * trace(S) / p * I with S the divide-by-n covariance."""
    cov = np.cov(samples, rowvar=False, bias=True).reshape(samples.shape[1], -1)
    target = np.trace(cov) / cov.shape[0]
    return (1 - reg_param) * cov + reg_param * target * np.eye(cov.shape[0])


def log_joint_densities(X, X_train, y_train, reg_param, priors):
    """log N(x; m_k, S_k) + log prior_k per sample and class, with scipy.

    ``m_k`` and ``S_k`` are the mean and the shrunk covariance of the training
    samples of the k-th class in sorted order; ``priors`` are in that order.
    """
    classes = np.unique(y_train)
    columns = []
    for k, label in enumerate(classes):
        members = X_train[y_train == label].astype(np.float64)
        density = stats.multivariate_normal(members.mean(axis=0),
                                            shrunk_covariance(members, reg_param))
        columns.append(density.logpdf(X) + np.log(priors[k]))
    return np.column_stack(columns)
