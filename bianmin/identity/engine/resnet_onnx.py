"""dlib's face-recognition ResNet v1 run on onnxruntime.

The weights are read from dlib's own ``dlib_face_recognition_resnet_model_v1.dat`` (see
:mod:`.dlib_dnn`) and placed unchanged, as float32, into an ONNX graph built in memory
that computes what dlib computes, layer for layer:

* input ``input_rgb_image_sized<150>``: value = (pixel - channel mean) / 256, planes R, G, B;
* ``con``: Conv with the file's strides and paddings (cross-correlation, like dlib);
* ``affine`` (batch norm frozen at training time): x * gamma + beta per channel;
* ``max_pool`` / ``avg_pool``: MaxPool / AveragePool with the file's window, stride, padding
  (``avg_pool_everything``: GlobalAveragePool);
* ``add_prev``: dlib adds tensors of different sizes by treating what is missing from the
  smaller one as zero (tt::add); the graph pads the smaller one with zeros at the end;
* ``tag`` / ``skip``: which tensor a later ``add_prev`` reads / which tensor comes next;
* ``fc_no_bias`` then ``loss_metric``: x @ W, returned as is (dlib does not normalise it).

Nothing is written to disk or downloaded: the graph is built at first use (about 0.1 s here,
plus onnxruntime's session set-up). The outputs equal dlib's ``compute_face_descriptor``
to 1e-4 on real faces (test_resnet_onnx.py; bench/face_speed.py measured 4.2e-7 on 93 faces):
only the order of the float additions differs.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper

from .dlib_dnn import DlibNet, read_face_resnet

INPUT_NAME = "chips"  # uint8 N x 150 x 150 x 3 RGB, as dlib.get_face_chip returns them
OUTPUT_NAME = "descriptors"  # float32 N x 128
OPSET = 17


@dataclass
class _Graph:
    nodes: list[onnx.NodeProto]
    initializers: list[onnx.TensorProto]
    count: int = 0

    def name(self, prefix: str) -> str:
        self.count += 1
        return f"{prefix}_{self.count}"

    def const(self, prefix: str, value: np.ndarray) -> str:
        name = self.name(prefix)
        self.initializers.append(numpy_helper.from_array(value, name))
        return name

    def op(self, op_type: str, inputs: list[str], **attrs: Any) -> str:
        out = self.name(op_type.lower())
        self.nodes.append(helper.make_node(op_type, inputs, [out], **attrs))
        return out


Shape = tuple[int, int, int]  # channels, rows, columns of one sample


def _pool_out(size: int, window: int, stride: int, padding: int) -> int:
    return 1 + (size + 2 * padding - window) // stride


def _pad_to(g: _Graph, x: str, shape: Shape, target: Shape) -> str:
    """Zero-pad x (N x C x H x W) at the end of C, H and W up to ``target``."""
    if shape == target:
        return x
    ends = [0, *(t - s for s, t in zip(shape, target, strict=True))]
    pads = g.const("pads", np.array([0, 0, 0, 0, *ends], dtype=np.int64))
    return g.op("Pad", [x, pads], mode="constant")


def build_onnx(net: DlibNet) -> onnx.ModelProto:
    """The ONNX model of a parsed dlib face ResNet."""
    g = _Graph([], [])
    rows, cols = net.input.rows, net.input.cols
    avg = np.array(net.input.avg_rgb, dtype=np.float32).reshape(1, 1, 1, 3)
    x = g.op("Cast", [INPUT_NAME], to=TensorProto.FLOAT)
    x = g.op("Sub", [x, g.const("avg_rgb", avg)])
    x = g.op("Mul", [x, g.const("inv256", np.array(1.0 / 256.0, dtype=np.float32))])
    x = g.op("Transpose", [x], perm=[0, 3, 1, 2])
    shape: Shape = (3, rows, cols)
    tags: dict[int, tuple[str, Shape]] = {}
    for layer in net.layers:
        if layer.kind == "con":
            w, (sy, sx), (py, px) = layer.weights["W"], layer.stride, layer.padding
            inputs = [x, g.const("conv_w", w)]
            if "B" in layer.weights:
                inputs.append(g.const("conv_b", layer.weights["B"]))
            x = g.op(
                "Conv",
                inputs,
                kernel_shape=list(w.shape[2:]),
                strides=[sy, sx],
                pads=[py, px, py, px],
            )
            shape = (
                w.shape[0],
                _pool_out(shape[1], w.shape[2], sy, py),
                _pool_out(shape[2], w.shape[3], sx, px),
            )
        elif layer.kind == "affine":
            c = shape[0]
            gamma = layer.weights["gamma"].reshape(1, c, 1, 1)
            beta = layer.weights["beta"].reshape(1, c, 1, 1)
            x = g.op("Mul", [x, g.const("gamma", gamma)])
            x = g.op("Add", [x, g.const("beta", beta)])
        elif layer.kind == "relu":
            x = g.op("Relu", [x])
        elif layer.kind in ("max_pool", "avg_pool") and layer.window == (0, 0):
            if layer.kind != "avg_pool":
                raise ValueError("only avg_pool_everything may pool the whole input")
            x = g.op("GlobalAveragePool", [x])
            shape = (shape[0], 1, 1)
        elif layer.kind in ("max_pool", "avg_pool"):
            (wy, wx), (sy, sx), (py, px) = layer.window, layer.stride, layer.padding
            attrs: dict[str, Any] = {
                "kernel_shape": [wy, wx],
                "strides": [sy, sx],
                "pads": [py, px, py, px],
            }
            if layer.kind == "avg_pool":
                attrs["count_include_pad"] = 0  # dlib averages the pixels inside the image
            x = g.op("MaxPool" if layer.kind == "max_pool" else "AveragePool", [x], **attrs)
            shape = (shape[0], _pool_out(shape[1], wy, sy, py), _pool_out(shape[2], wx, sx, px))
        elif layer.kind == "tag":
            tags[layer.tag] = (x, shape)
        elif layer.kind == "skip":
            x, shape = tags[layer.tag]
        elif layer.kind == "add_prev":
            other, other_shape = tags[layer.tag]
            target: Shape = (
                max(shape[0], other_shape[0]),
                max(shape[1], other_shape[1]),
                max(shape[2], other_shape[2]),
            )
            x = g.op("Add", [_pad_to(g, x, shape, target), _pad_to(g, other, other_shape, target)])
            shape = target
        elif layer.kind == "fc":
            w = layer.weights["W"]
            if w.shape[0] != shape[0] * shape[1] * shape[2]:
                raise ValueError(f"fc expects {w.shape[0]} inputs, the net gives {shape}")
            x = g.op("Flatten", [x], axis=1)
            x = g.op("MatMul", [x, g.const("fc_w", w)])
        else:
            raise ValueError(f"unsupported layer {layer.kind}")
    g.nodes.append(helper.make_node("Identity", [x], [OUTPUT_NAME]))
    graph = helper.make_graph(
        g.nodes,
        "dlib_face_recognition_resnet_model_v1",
        [helper.make_tensor_value_info(INPUT_NAME, TensorProto.UINT8, ["N", rows, cols, 3])],
        [helper.make_tensor_value_info(OUTPUT_NAME, TensorProto.FLOAT, ["N", 128])],
        g.initializers,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)])
    onnx.checker.check_model(model)
    return model


class FaceResnetSession:
    """The face ResNet on onnxruntime: 150x150 RGB chips in, dlib's 128-d descriptors out.

    ``InferenceSession.run`` is safe to call from several threads and releases the GIL.
    """

    def __init__(self, dat_path: Path, *, threads: int = 1) -> None:
        model = build_onnx(read_face_resnet(dat_path))
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        # Worker threads that spin between runs would take CPU from the web server.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self.threads = threads
        self._session = ort.InferenceSession(
            model.SerializeToString(), options, providers=["CPUExecutionProvider"]
        )

    def descriptors(self, chips: list[np.ndarray]) -> np.ndarray:
        """N x 128 float32: one descriptor per 150x150x3 uint8 chip, in one run."""
        batch = np.ascontiguousarray(np.stack(chips), dtype=np.uint8)
        (out,) = self._session.run([OUTPUT_NAME], {INPUT_NAME: batch})
        return np.asarray(out, dtype=np.float32)
