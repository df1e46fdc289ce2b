"""Reader of dlib's serialized face-recognition ResNet (``dlib_face_recognition_resnet_model_v1.dat``).

dlib writes a network with its own ``serialize`` format (dlib/serialize.h, dlib/dnn/core.h,
dlib/dnn/layers.h, dlib/dnn/input.h, dlib/dnn/loss.h, dlib/cuda/tensor.h):

* integers: one control byte (low nibble = number of bytes, bit 0x80 = negative), then the
  magnitude in that many little-endian bytes;
* bool: the ASCII character ``'1'`` or ``'0'``;
* float/double: an int64 mantissa and an int16 exponent (value = mantissa * 2**exponent);
* string: its length (integer) then its bytes;
* tensor: version 2, num_samples, k, nr, nc, then the values as little-endian float32;
* alias_tensor (a view into a layer's ``params``): version 1 and its four sizes.

A network ``loss<add_layer<L1, add_layer<L2, ... add_layer<Ln, input>>>>`` is written top
down: the loss layer's version and details, then every layer's version from the top to the
bottom (``add_tag_layer`` and ``add_skip_layer`` write nothing else), the input layer's
details, and then each ``add_layer``'s details and training state from the bottom up.
The tag and skip layers are invisible in the bytes, so the reader walks the net definition
of dlib's ``face_recognition_model_v1`` (tools/python/src/face_recognition.cpp, the same as
examples/dnn_face_recognition_ex.cpp) and checks every layer name it meets against it.

The result is the list of layers bottom up with their weights as numpy arrays, exactly the
float32 values of the file; :mod:`.resnet_onnx` turns it into an ONNX graph.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np


class DlibFormatError(ValueError):
    """The file is not the network this reader knows (or is damaged)."""


# -- the net definition ---------------------------------------------------------------------
# One entry per layer, top down, as dlib nests them. ("tag", n) / ("skip", n) / ("add_prev", n)
# name the tag they set or read; the other kinds are the dlib layer classes.
Spec = tuple[str, int]


def _block(n: int, stride: int) -> list[Spec]:
    # block<N,BN,stride,SUBNET> = BN<con<N,3,3,1,1,relu<BN<con<N,3,3,stride,stride,SUBNET>>>>>
    return [("affine", 0), ("con", n), ("relu", 0), ("affine", 0), ("con", n)]


def _ares(n: int) -> list[Spec]:
    # relu<add_prev1<block<N,affine,1,tag1<SUBNET>>>>
    return [("relu", 0), ("add_prev", 1), *_block(n, 1), ("tag", 1)]


def _ares_down(n: int) -> list[Spec]:
    # relu<add_prev2<avg_pool<2,2,2,2,skip1<tag2<block<N,affine,2,tag1<SUBNET>>>>>>>
    return [
        ("relu", 0),
        ("add_prev", 2),
        ("avg_pool", 0),
        ("skip", 1),
        ("tag", 2),
        *_block(n, 2),
        ("tag", 1),
    ]


# loss_metric<fc_no_bias<128, avg_pool_everything<alevel0<alevel1<alevel2<alevel3<alevel4<
#   max_pool<3,3,2,2,relu<affine<con<32,7,7,2,2, input_rgb_image_sized<150>>>>>>>>>>>>>
FACE_RESNET_V1: list[Spec] = [
    ("fc", 128),
    ("avg_pool", 0),  # avg_pool_everything
    *_ares_down(256),  # alevel0
    *_ares(256),  # alevel1
    *_ares(256),
    *_ares_down(256),
    *_ares(128),  # alevel2
    *_ares(128),
    *_ares_down(128),
    *_ares(64),  # alevel3
    *_ares(64),
    *_ares(64),
    *_ares_down(64),
    *_ares(32),  # alevel4
    *_ares(32),
    *_ares(32),
    ("max_pool", 0),
    ("relu", 0),
    ("affine", 0),
    ("con", 32),
]


# -- parsed layers ----------------------------------------------------------------------------
@dataclass(frozen=True)
class InputLayer:
    """``input_rgb_image_sized``: value = (pixel - avg) / 256 per channel, planes R, G, B."""

    avg_rgb: tuple[float, float, float]
    rows: int
    cols: int


@dataclass(frozen=True)
class Layer:
    """One layer, bottom up. ``kind`` is con, affine, relu, max_pool, avg_pool, add_prev,
    fc, tag or skip; ``tag`` is the tag a tag/skip/add_prev layer sets or reads."""

    kind: str
    tag: int = 0
    stride: tuple[int, int] = (1, 1)
    padding: tuple[int, int] = (0, 0)
    window: tuple[int, int] = (0, 0)  # pools: 0 = the whole input (avg_pool_everything)
    weights: dict[str, np.ndarray] = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True)
class DlibNet:
    input: InputLayer
    layers: list[Layer]  # bottom up
    loss: str  # the loss layer's name; loss_metric passes the fc output through unchanged


# -- the reader -------------------------------------------------------------------------------
class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data = memoryview(data)
        self.pos = 0

    def _take(self, n: int) -> memoryview:
        if self.pos + n > len(self.data):
            raise DlibFormatError("unexpected end of file")
        chunk = self.data[self.pos : self.pos + n]
        self.pos += n
        return chunk

    def read_int(self) -> int:
        control = self._take(1)[0]
        size = control & 0x0F
        if size == 0 or size > 8 or control & 0x70:
            raise DlibFormatError(f"bad integer control byte {control:#x} at {self.pos - 1}")
        value = int.from_bytes(self._take(size), "little")
        return -value if control & 0x80 else value

    def read_bool(self) -> bool:
        ch = bytes(self._take(1))
        if ch not in (b"0", b"1"):
            raise DlibFormatError(f"bad bool at {self.pos - 1}")
        return ch == b"1"

    def read_float(self) -> float:
        mantissa, exponent = self.read_int(), self.read_int()
        if exponent >= 32000:  # dlib's markers for inf, -inf and nan
            return {32000: math.inf, 32001: -math.inf}.get(exponent, math.nan)
        return math.ldexp(float(mantissa), exponent)

    def read_str(self) -> str:
        raw = bytes(self._take(self.read_int()))
        if not raw.isascii():
            raise DlibFormatError(f"expected a layer name at {self.pos - len(raw)}")
        return raw.decode("ascii")

    def read_tensor(self) -> np.ndarray:
        self.read_version(2, "tensor")
        shape = tuple(self.read_int() for _ in range(4))
        count = math.prod(shape)
        raw = self._take(4 * count)
        return np.frombuffer(raw, dtype="<f4").astype(np.float32).reshape(shape)

    def read_alias(self) -> tuple[int, int, int, int]:
        self.read_version(1, "alias_tensor")
        n, k, nr, nc = (self.read_int() for _ in range(4))
        return (n, k, nr, nc)

    def read_version(self, expected: int | tuple[int, ...], what: str) -> int:
        allowed = (expected,) if isinstance(expected, int) else expected
        v = self.read_int()
        if v not in allowed:
            raise DlibFormatError(f"{what}: version {v}, expected {allowed}")
        return v

    def read_name(self, allowed: tuple[str, ...]) -> str:
        s = self.read_str()
        if s not in allowed:
            raise DlibFormatError(f"found layer {s!r}, expected one of {allowed}")
        return s


def _split(params: np.ndarray, *shapes: tuple[int, int, int, int]) -> list[np.ndarray]:
    """Cut a layer's flat ``params`` into its alias tensors (laid out one after another)."""
    flat = params.reshape(-1)
    out, offset = [], 0
    for shape in shapes:
        size = math.prod(shape)
        out.append(flat[offset : offset + size].reshape(shape))
        offset += size
    if offset != flat.size:
        raise DlibFormatError(f"params hold {flat.size} values, aliases use {offset}")
    return out


def _details(r: _Reader, kind: str, tag: int) -> Layer:
    """One layer's own serialisation (``serialize(layer_details, out)``); ``tag`` is the
    tag an add_prev layer reads."""
    if kind == "con":
        version = r.read_name(("con_4", "con_5", "con_6"))
        params = r.read_tensor()
        r.read_int()  # num_filters
        window = (r.read_int(), r.read_int())
        stride = (r.read_int(), r.read_int())
        padding = (r.read_int(), r.read_int())
        filters_shape, bias_shape = r.read_alias(), r.read_alias()
        for _ in range(4):  # learning-rate and weight-decay multipliers
            r.read_float()
        use_bias = r.read_bool() if version in ("con_5", "con_6") else True
        if version == "con_6" and r.read_bool():
            raise DlibFormatError("con_ with a fused relu is not supported")
        filters, biases = _split(params, filters_shape, bias_shape)
        if filters.shape[2:] != window:
            raise DlibFormatError("con_ filter shape does not match its window")
        weights = {"W": filters}
        if use_bias:
            weights["B"] = biases.reshape(-1)
        return Layer("con", stride=stride, padding=padding, window=window, weights=weights)
    if kind == "affine":
        version = r.read_name(("affine_", "affine_2"))
        params = r.read_tensor()
        gamma_shape, beta_shape = r.read_alias(), r.read_alias()
        mode = r.read_int()
        if mode != 0:  # CONV_MODE: one gamma/beta per channel
            raise DlibFormatError(f"affine_ mode {mode} is not supported")
        if version == "affine_2" and r.read_bool():
            raise DlibFormatError("a disabled affine_ layer is not supported")
        gamma, beta = _split(params, gamma_shape, beta_shape)
        return Layer("affine", weights={"gamma": gamma.reshape(-1), "beta": beta.reshape(-1)})
    if kind == "relu":
        if r.read_name(("relu_", "relu_2")) == "relu_2" and r.read_bool():
            raise DlibFormatError("a disabled relu_ layer is not supported")
        return Layer("relu")
    if kind in ("max_pool", "avg_pool"):
        r.read_name((f"{kind}_2",))
        window = (r.read_int(), r.read_int())
        stride = (r.read_int(), r.read_int())
        padding = (r.read_int(), r.read_int())
        return Layer(kind, stride=stride, padding=padding, window=window)
    if kind == "add_prev":
        r.read_name(("add_prev_",))
        return Layer("add_prev", tag=tag)
    if kind == "fc":
        version = r.read_name(("fc_2", "fc_3"))
        num_outputs, num_inputs = r.read_int(), r.read_int()
        params = r.read_tensor()
        weights_shape, bias_shape = r.read_alias(), r.read_alias()
        bias_mode = r.read_int()
        for _ in range(4):
            r.read_float()
        if version == "fc_3":
            r.read_bool()  # use_bias (fc_no_bias has none either way)
        if bias_mode != 1:  # FC_NO_BIAS
            raise DlibFormatError("only fc_no_bias is supported")
        (w,) = _split(params, weights_shape)
        return Layer("fc", weights={"W": w.reshape(num_inputs, num_outputs)})
    raise DlibFormatError(f"unknown layer kind {kind}")


def read_face_resnet(path: Path, spec: list[Spec] = FACE_RESNET_V1) -> DlibNet:
    """Parse ``dlib_face_recognition_resnet_model_v1.dat`` (or a net of the same definition)."""
    r = _Reader(path.read_bytes())
    r.read_version(1, "add_loss_layer")
    loss = r.read_name(("loss_metric_", "loss_metric_2"))
    if loss == "loss_metric_2":
        r.read_float()  # margin
        r.read_float()  # distance threshold
    # Top down: one version per layer; tags and skips hold nothing else.
    versions = [
        r.read_version((1,) if kind in ("tag", "skip") else (1, 2, 3), kind) for kind, _ in spec
    ]
    r.read_name(("input_rgb_image_sized",))
    avg = (r.read_float(), r.read_float(), r.read_float())
    net_input = InputLayer(avg, r.read_int(), r.read_int())
    # Bottom up: the details and training state of each add_layer.
    layers: list[Layer] = []
    for depth in reversed(range(len(spec))):
        kind, arg = spec[depth]
        if kind in ("tag", "skip"):
            layers.append(Layer(kind, tag=arg))
            continue
        layer = _details(r, kind, arg)
        if kind in ("con", "fc") and arg != _out_channels(layer):
            raise DlibFormatError(f"{kind} has {_out_channels(layer)} outputs, expected {arg}")
        for _ in range(3):  # setup called, gradient stale, output/gradient disabled
            r.read_bool()
        r.read_tensor()  # x_grad
        r.read_tensor()  # cached_output
        over_input = depth == len(spec) - 1
        if over_input or versions[depth] >= 2:
            r.read_tensor()  # grad_final (layer over the input) or params_grad
        if over_input and versions[depth] >= 3:
            r.read_int()  # sample_expansion_factor
        layers.append(layer)
    if r.pos != len(r.data):
        raise DlibFormatError(f"{len(r.data) - r.pos} bytes left after the network")
    return DlibNet(net_input, layers, loss)


def _out_channels(layer: Layer) -> int:
    w = layer.weights["W"]
    return int(w.shape[0] if layer.kind == "con" else w.shape[1])
