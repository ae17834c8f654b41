#!/usr/bin/python3
"""Converts face-api.js's TF.js face recognition weights (dlib's ResNet) to a plain ONNX graph.

Usage: convert_facejs_dlib.py MODEL_DIR OUT.onnx
  MODEL_DIR holds face_recognition_model-weights_manifest.json and face_recognition_model.bin
  (from the npm package @vladmandic/face-api@1.7.15, see build-dlib-model).

The graph takes float32 [1,3,150,150] raw RGB 0..255 ("input") and returns the raw 128-D descriptor
("descriptor"); compare with the Euclidean distance. It follows faceRecognitionNet/*.ts of the package:
  conv layer  = conv + bias, then per-channel scale (x*w + b), optional ReLU; folded into one Conv.
  residual    = ReLU(conv2(ReLU(conv1(x))) + x)               (3x3, stride 1, TF "same" -> pads 1)
  residualDown= ReLU(AvgPool2x2s2(x) [+ zero channels] + conv2(ReLU(conv1_s2(x))) [+ zero row/col])
                (conv1: 3x3 stride 2, TF "valid" -> pads 0)
The input normalisation (x - mean_rgb) / 255 is folded into the first convolution (valid padding, exact).
Needs Debian's python3-onnx and python3-numpy. The output is deterministic.
"""

import json
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

MEAN_RGB = np.array([122.782, 117.001, 104.298], dtype=np.float64)


def load_weights(model_dir):
    with open(os.path.join(model_dir, "face_recognition_model-weights_manifest.json")) as f:
        manifest = json.load(f)
    tensors = {}
    for group in manifest:
        blob = b"".join(open(os.path.join(model_dir, p), "rb").read() for p in group["paths"])
        offset = 0
        for w in group["weights"]:
            count = int(np.prod(w["shape"]))
            q = w.get("quantization")
            if q:
                if q["dtype"] != "uint8":
                    raise SystemExit(f"unsupported quantization {q['dtype']} for {w['name']}")
                raw = np.frombuffer(blob, dtype=np.uint8, count=count, offset=offset)
                offset += count
                value = raw.astype(np.float64) * q["scale"] + q["min"]
            else:
                if w["dtype"] != "float32":
                    raise SystemExit(f"unsupported dtype {w['dtype']} for {w['name']}")
                value = np.frombuffer(blob, dtype="<f4", count=count, offset=offset).astype(np.float64)
                offset += 4 * count
            tensors[w["name"]] = value.reshape(w["shape"])
        if offset != len(blob):
            raise SystemExit(f"weights file size mismatch: used {offset} of {len(blob)} bytes")
    return tensors


class Graph:
    def __init__(self, weights):
        self.w = weights
        self.nodes = []
        self.inits = []
        self.n = 0

    def name(self, base):
        self.n += 1
        return f"{base}_{self.n}"

    def const(self, base, array, dtype=np.float32):
        name = self.name(base)
        self.inits.append(numpy_helper.from_array(np.ascontiguousarray(array.astype(dtype)), name))
        return name

    def op(self, op_type, inputs, base, **attrs):
        out = self.name(base)
        self.nodes.append(helper.make_node(op_type, inputs, [out], name=out, **attrs))
        return out

    def conv(self, x, prefix, stride, relu, fold_input_norm=False):
        filt = self.w[prefix + "/conv/filters"]  # HWIO
        bias = self.w[prefix + "/conv/bias"]
        sw = self.w[prefix + "/scale/weights"]
        sb = self.w[prefix + "/scale/biases"]
        kh = filt.shape[0]
        if fold_input_norm:
            # conv(W, (x - m) / 255) = conv(W / 255, x) - sum_{h,w,i} W[h,w,i,o] * m[i] / 255 (valid padding: exact)
            bias = bias - np.einsum("hwio,i->o", filt, MEAN_RGB) / 255.0
            filt = filt / 255.0
        w_oihw = np.transpose(filt, (3, 2, 0, 1)) * sw[:, None, None, None]
        b = bias * sw + sb
        pad = 0 if stride == 2 else kh // 2
        out = self.op("Conv", [x, self.const(prefix + "/W", w_oihw), self.const(prefix + "/B", b)], prefix.replace("/", "_"),
                      kernel_shape=[kh, kh], strides=[stride, stride], pads=[pad] * 4)
        return self.op("Relu", [out], "relu") if relu else out

    def pad(self, x, pads):
        return self.op("Pad", [x, self.const("pads", np.array(pads), np.int64)], "pad", mode="constant")

    def residual(self, x, prefix):
        out = self.conv(x, prefix + "/conv1", 1, True)
        out = self.conv(out, prefix + "/conv2", 1, False)
        return self.op("Relu", [self.op("Add", [out, x], "add")], "relu")

    def residual_down(self, x, prefix, in_ch, in_hw):
        out = self.conv(x, prefix + "/conv1", 2, True)
        out = self.conv(out, prefix + "/conv2", 1, False)
        out_ch = self.w[prefix + "/conv2/conv/filters"].shape[3]
        pooled = self.op("AveragePool", [x], "avgpool", kernel_shape=[2, 2], strides=[2, 2])
        pooled_hw = in_hw // 2
        conv_hw = (in_hw - 3) // 2 + 1
        if conv_hw != pooled_hw:  # one zero row at the bottom, one zero column on the right
            out = self.pad(out, [0, 0, 0, 0, 0, 0, pooled_hw - conv_hw, pooled_hw - conv_hw])
        if out_ch != in_ch:  # zero channels appended to the pooled branch
            pooled = self.pad(pooled, [0, 0, 0, 0, 0, out_ch - in_ch, 0, 0])
        return self.op("Relu", [self.op("Add", [pooled, out], "add")], "relu"), out_ch, pooled_hw


def build(weights):
    g = Graph(weights)
    x = g.conv("input", "conv32_down", 2, True, fold_input_norm=True)  # 150 -> 72
    x = g.op("MaxPool", [x], "maxpool", kernel_shape=[3, 3], strides=[2, 2])  # 72 -> 35
    ch, hw = 32, 35
    for p in ("conv32_1", "conv32_2", "conv32_3"):
        x = g.residual(x, p)
    x, ch, hw = g.residual_down(x, "conv64_down", ch, hw)
    for p in ("conv64_1", "conv64_2", "conv64_3"):
        x = g.residual(x, p)
    x, ch, hw = g.residual_down(x, "conv128_down", ch, hw)
    for p in ("conv128_1", "conv128_2"):
        x = g.residual(x, p)
    x, ch, hw = g.residual_down(x, "conv256_down", ch, hw)
    for p in ("conv256_1", "conv256_2"):
        x = g.residual(x, p)
    x, ch, hw = g.residual_down(x, "conv256_down_out", ch, hw)
    x = g.op("GlobalAveragePool", [x], "gap")
    x = g.op("Flatten", [x], "flatten", axis=1)
    g.nodes.append(helper.make_node("MatMul", [x, g.const("fc", weights["fc"])], ["descriptor"], name="fc"))
    graph = helper.make_graph(
        g.nodes, "dlib_face_recognition_resnet_v1_facejs",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 3, 150, 150])],
        [helper.make_tensor_value_info("descriptor", TensorProto.FLOAT, [1, 128])], g.inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 11)],
                              producer_name="badge-kiosk packaging/face/convert_facejs_dlib.py")
    model.ir_version = 6
    onnx.checker.check_model(model)
    return model


def main():
    if len(sys.argv) != 3:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 1
    model = build(load_weights(sys.argv[1]))
    tmp = sys.argv[2] + ".tmp"
    with open(tmp, "wb") as f:
        f.write(model.SerializeToString())
    os.replace(tmp, sys.argv[2])
    return 0


if __name__ == "__main__":
    sys.exit(main())
