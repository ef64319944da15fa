"""EfficientNet-Lite0 as an ONNX graph built from a ``state_dict`` by ``onnx.helper``.

The network of Tan & Le [1]_ in its "Lite" form [2]_ for mobile CPUs: no
squeeze-and-excitation, ReLU6 in place of swish, stem (32 channels) and head
(1280 channels) not scaled. Each mobile inverted bottleneck block [3]_ is a
1 x 1 expansion (absent when the expansion ratio is 1), a depthwise k x k
convolution carrying the stride, a 1 x 1 projection without activation, and
an identity shortcut when the stride is 1 and the input and output widths
agree. Every convolution is followed by batch normalisation, which is folded
into the convolution here: with :math:`s = \\gamma / \\sqrt{\\sigma^2 +
\\epsilon}`, the weights become :math:`s W` and the bias :math:`\\beta - s \\mu`
(:func:`fold_batch_norm`).

The ``state_dict`` follows the key names of lukemelas' ``EfficientNet-PyTorch``
(``_conv_stem``, ``_bn0``, ``_blocks.<i>.{_expand_conv, _bn0, _depthwise_conv,
_bn1, _project_conv, _bn2}``, ``_conv_head``, ``_bn1``, ``_fc``); the weights
were trained in TensorFlow, so every convolution pads as TensorFlow's
``"SAME"`` does (the odd pixel of padding at the bottom and right), which is
ONNX's ``auto_pad="SAME_UPPER"``.

References
----------
.. [1] M. Tan and Q. V. Le, "EfficientNet: Rethinking Model Scaling for
   Convolutional Neural Networks", ICML 2019, PMLR 97:6105-6114.
   :DOI:`10.48550/arXiv.1905.11946`
.. [2] R. Liu, "Higher accuracy on vision models with EfficientNet-Lite",
   TensorFlow Blog, 2020; reference code in ``tensorflow/tpu``,
   ``models/official/efficientnet/lite``.
.. [3] M. Sandler, A. Howard, M. Zhu, A. Zhmoginov and L.-C. Chen,
   "MobileNetV2: Inverted Residuals and Linear Bottlenecks", CVPR 2018.
   :DOI:`10.1109/CVPR.2018.00474`
"""

from collections import namedtuple

import numpy as np

__all__ = ["BN_EPS", "STAGES", "block_specs", "efficientnet_lite_onnx",
           "fold_batch_norm"]

BN_EPS = 1e-3
"""Batch-norm epsilon of the TensorFlow reference (``batch_norm_epsilon``)."""

Stage = namedtuple("Stage", "kernel expand out stride repeats")
STAGES = (
    Stage(3, 1, 16, 1, 1),
    Stage(3, 6, 24, 2, 2),
    Stage(5, 6, 40, 2, 2),
    Stage(3, 6, 80, 2, 3),
    Stage(5, 6, 112, 1, 3),
    Stage(5, 6, 192, 2, 4),
    Stage(3, 6, 320, 1, 1),
)
"""EfficientNet-Lite0's stages: kernel, expansion, output width, stride, repeats."""

STEM_WIDTH = 32
HEAD_WIDTH = 1280
OPSET = 17

Block = namedtuple("Block", "index kernel expand in_width out_width stride skip")


def block_specs(stages=STAGES, stem_width=STEM_WIDTH):
    """The blocks in order: the first of a stage strides, the rest repeat.

    Returns
    -------
    blocks : list of Block
        ``index`` (the ``_blocks.<index>`` key), ``kernel``, ``expand``,
        ``in_width``, ``out_width``, ``stride`` and ``skip`` (identity
        shortcut: stride 1 and equal widths).
    """
    blocks, width = [], stem_width
    for stage in stages:
        for repeat in range(stage.repeats):
            stride = stage.stride if repeat == 0 else 1
            blocks.append(Block(len(blocks), stage.kernel, stage.expand, width,
                                stage.out, stride,
                                stride == 1 and width == stage.out))
            width = stage.out
    return blocks


def fold_batch_norm(weight, state, prefix, eps=BN_EPS):
    """Fold the batch norm ``prefix`` of ``state`` into a convolution.

    Parameters
    ----------
    weight : ndarray of shape (out, in / groups, kh, kw)
        The convolution's weights (it has no bias).
    state : dict of str to ndarray
        Holds ``<prefix>.weight``, ``.bias``, ``.running_mean`` and
        ``.running_var``.
    prefix : str
        The batch norm's key prefix.
    eps : float, default=1e-3
        The batch norm's epsilon.

    Returns
    -------
    weight, bias : ndarray of float32
        ``s * weight`` and ``beta - s * mean`` with ``s = gamma / sqrt(var + eps)``,
        computed in float64.
    """
    gamma, beta, mean, var = (state[f"{prefix}.{name}"].astype(np.float64)
                              for name in ("weight", "bias", "running_mean",
                                           "running_var"))
    scale = gamma / np.sqrt(var + eps)
    folded = weight.astype(np.float64) * scale[:, None, None, None]
    return folded.astype(np.float32), (beta - mean * scale).astype(np.float32)


class _GraphBuilder:
    """Collects the nodes and initialisers of one ONNX graph."""

    def __init__(self, helper, numpy_helper):
        self.helper, self.numpy_helper = helper, numpy_helper
        self.nodes, self.initializers = [], []

    def constant(self, name, array):
        self.initializers.append(self.numpy_helper.from_array(array, name))
        return name

    def conv(self, x, name, weight, bias, *, stride=1, groups=1, relu6=True):
        w = self.constant(f"{name}.w", weight)
        b = self.constant(f"{name}.b", bias)
        kernel = list(weight.shape[2:])
        self.nodes.append(self.helper.make_node(
            "Conv", [x, w, b], [name], name=name, kernel_shape=kernel,
            strides=[stride, stride], group=groups, auto_pad="SAME_UPPER"))
        if not relu6:
            return name
        self.nodes.append(self.helper.make_node(
            "Clip", [name, "relu6.min", "relu6.max"], [f"{name}.relu6"],
            name=f"{name}.relu6"))
        return f"{name}.relu6"

    def node(self, op, inputs, output, **attributes):
        self.nodes.append(self.helper.make_node(op, inputs, [output], name=output,
                                                **attributes))
        return output


def efficientnet_lite_onnx(state, *, image_size=None, eps=BN_EPS):
    """Build EfficientNet-Lite0 as an in-memory ONNX model.

    Parameters
    ----------
    state : dict of str to ndarray
        The ``state_dict`` (see the module's notes for the key names).
    image_size : int or None, default=None
        Rows and columns of the input; None leaves them free (the network is
        convolutional up to a global average pool, so it runs at any size;
        it was trained at 224).
    eps : float, default=1e-3
        Batch-norm epsilon.

    Returns
    -------
    model : onnx.ModelProto
        Input ``images`` of shape (batch, 3, image_size, image_size), float32,
        already normalised; outputs ``features`` (batch, 1280), the global
        average of the head's activations, and ``logits`` (batch, 1000), the
        ImageNet classifier applied to them.
    """
    from onnx import TensorProto, checker, helper, numpy_helper

    g = _GraphBuilder(helper, numpy_helper)
    g.constant("relu6.min", np.array(0.0, dtype=np.float32))
    g.constant("relu6.max", np.array(6.0, dtype=np.float32))
    x = g.conv("images", "stem",
               *fold_batch_norm(state["_conv_stem.weight"], state, "_bn0", eps),
               stride=2)
    for block in block_specs():
        key = f"_blocks.{block.index}"
        inp = x
        if block.expand != 1:
            x = g.conv(x, f"{key}.expand", *fold_batch_norm(
                state[f"{key}._expand_conv.weight"], state, f"{key}._bn0", eps))
        dw = state[f"{key}._depthwise_conv.weight"]
        x = g.conv(x, f"{key}.depthwise",
                   *fold_batch_norm(dw, state, f"{key}._bn1", eps),
                   stride=block.stride, groups=dw.shape[0])
        x = g.conv(x, f"{key}.project", *fold_batch_norm(
            state[f"{key}._project_conv.weight"], state, f"{key}._bn2", eps),
            relu6=False)
        if block.skip:
            x = g.node("Add", [x, inp], f"{key}.add")
    x = g.conv(x, "head",
               *fold_batch_norm(state["_conv_head.weight"], state, "_bn1", eps))
    pooled = g.node("GlobalAveragePool", [x], "pool")
    features = g.node("Flatten", [pooled], "features", axis=1)
    fc_w = g.constant("fc.w", np.ascontiguousarray(state["_fc.weight"],
                                                   dtype=np.float32))
    fc_b = g.constant("fc.b", np.ascontiguousarray(state["_fc.bias"],
                                                   dtype=np.float32))
    logits = g.node("Gemm", [features, fc_w, fc_b], "logits", transB=1)

    n_classes = state["_fc.weight"].shape[0]
    rows, cols = ("height", "width") if image_size is None else (image_size,) * 2
    graph = helper.make_graph(
        g.nodes, "efficientnet_lite0",
        [helper.make_tensor_value_info("images", TensorProto.FLOAT,
                                       ["batch", 3, rows, cols])],
        [helper.make_tensor_value_info(features, TensorProto.FLOAT,
                                       ["batch", HEAD_WIDTH]),
         helper.make_tensor_value_info(logits, TensorProto.FLOAT,
                                       ["batch", n_classes])],
        initializer=g.initializers)
    model = helper.make_model(graph, producer_name="classical",
                              opset_imports=[helper.make_opsetid("", OPSET)])
    model.ir_version = 8  # readable by onnxruntime >= 1.14
    checker.check_model(model)
    return model
