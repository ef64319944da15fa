"""A plain NumPy twin of EfficientNet-Lite0's forward pass, written for clarity.

It reads the raw ``state_dict`` (batch norms kept as they are, not folded),
pads as TensorFlow's ``"SAME"`` does, writes every convolution as a sum over
kernel offsets of shifted, strided slices, and computes in float64. It
shares no code with :mod:`classical.deep._efficientnet`: the stage table is
written out again here from the paper's Table 1 with the Lite changes (no
squeeze-and-excitation, ReLU6).
"""

import math

import numpy as np

__all__ = ["same_padding", "conv2d", "batch_norm", "efficientnet_lite0_forward"]

# kernel, expansion, output channels, stride, repeats
LITE0_STAGES = [(3, 1, 16, 1, 1), (3, 6, 24, 2, 2), (5, 6, 40, 2, 2),
                (3, 6, 80, 2, 3), (5, 6, 112, 1, 3), (5, 6, 192, 2, 4),
                (3, 6, 320, 1, 1)]


def same_padding(size, kernel, stride):
    """TensorFlow's SAME padding of one axis: (before, after), extra after."""
    out = math.ceil(size / stride)
    total = max((out - 1) * stride + kernel - size, 0)
    return total // 2, total - total // 2


def conv2d(x, weight, stride=1, groups=1):
    """Convolution (cross-correlation) of x (C, H, W) with SAME padding."""
    out_ch, in_per_group, kh, kw = weight.shape
    channels, height, width = x.shape
    top, bottom = same_padding(height, kh, stride)
    left, right = same_padding(width, kw, stride)
    padded = np.pad(x, ((0, 0), (top, bottom), (left, right)))
    out_h, out_w = math.ceil(height / stride), math.ceil(width / stride)
    out = np.zeros((out_ch, out_h, out_w))
    per_group_out = out_ch // groups
    for g in range(groups):
        xs = padded[g * in_per_group:(g + 1) * in_per_group]
        ws = weight[g * per_group_out:(g + 1) * per_group_out]
        for i in range(kh):
            for j in range(kw):
                patch = xs[:, i:i + stride * out_h:stride, j:j + stride * out_w:stride]
                out[g * per_group_out:(g + 1) * per_group_out] += np.tensordot(
                    ws[:, :, i, j], patch, axes=(1, 0))
    return out


def depthwise_conv2d(x, weight, stride):
    """Depthwise convolution: one k x k filter per channel (groups = channels)."""
    channels, height, width = x.shape
    k = weight.shape[2]
    top, bottom = same_padding(height, k, stride)
    left, right = same_padding(width, k, stride)
    padded = np.pad(x, ((0, 0), (top, bottom), (left, right)))
    out_h, out_w = math.ceil(height / stride), math.ceil(width / stride)
    out = np.zeros((channels, out_h, out_w))
    for i in range(k):
        for j in range(k):
            patch = padded[:, i:i + stride * out_h:stride, j:j + stride * out_w:stride]
            out += weight[:, 0, i, j][:, None, None] * patch
    return out


def batch_norm(x, state, prefix, eps=1e-3):
    """Inference batch norm of x (C, H, W) with the running statistics."""
    def get(name):
        return state[f"{prefix}.{name}"].astype(np.float64)[:, None, None]
    return (x - get("running_mean")) / np.sqrt(get("running_var") + eps) \
        * get("weight") + get("bias")


def relu6(x):
    return np.minimum(np.maximum(x, 0.0), 6.0)


def efficientnet_lite0_forward(image, state):
    """Features and logits of one normalised image.

    Parameters
    ----------
    image : ndarray of shape (3, H, W)
        Already normalised (channels first).
    state : dict of str to ndarray
        The raw ``state_dict``.

    Returns
    -------
    features : ndarray of shape (1280,)
    logits : ndarray of shape (1000,)
    """
    w = {k: v.astype(np.float64) for k, v in state.items()}
    x = relu6(batch_norm(conv2d(image.astype(np.float64), w["_conv_stem.weight"],
                                stride=2), w, "_bn0"))
    index = 0
    for kernel, expand, out, stride, repeats in LITE0_STAGES:
        for r in range(repeats):
            key = f"_blocks.{index}"
            s = stride if r == 0 else 1
            shortcut = x
            if expand != 1:
                x = relu6(batch_norm(conv2d(x, w[f"{key}._expand_conv.weight"]),
                                     w, f"{key}._bn0"))
            depthwise = w[f"{key}._depthwise_conv.weight"]
            assert depthwise.shape[2:] == (kernel, kernel)
            x = relu6(batch_norm(depthwise_conv2d(x, depthwise, s), w,
                                 f"{key}._bn1"))
            x = batch_norm(conv2d(x, w[f"{key}._project_conv.weight"]), w,
                           f"{key}._bn2")
            assert x.shape[0] == out
            if s == 1 and shortcut.shape == x.shape:
                x = x + shortcut
            index += 1
    x = relu6(batch_norm(conv2d(x, w["_conv_head.weight"]), w, "_bn1"))
    features = x.mean(axis=(1, 2))
    logits = w["_fc.weight"] @ features + w["_fc.bias"]
    return features, logits
