#!/usr/bin/python3
"""Writes the ONNX files POQ Studio's tests read (tests/data/onnx/), with Debian's python3-torch,
python3-torchvision and python3-onnx:  apt-get install python3-torch python3-torchvision python3-onnx
Run from the repository root:  /usr/bin/python3 tools/make-onnx-test-models.py

- torchvision's 224x224 ImageNet models as structure-only exports: their weights are external data
  in a file that is not kept, so counts, energy and sweeps work and evaluation refuses;
- small Fashion-MNIST-sized models with seeded random weights, each with a reference input and
  PyTorch's logits for it (<name>.ref.json), so the tests compare POQ Studio's engine with PyTorch;
- hand-written graphs (onnx.helper) for what PyTorch does not export (asymmetric padding) and for
  every kind of bad input the importer must refuse with a message naming the node.
Everything is deterministic (fixed seeds); the files are small enough to commit.
"""
import json
import os
import sys

import onnx
import torch
import torch.nn as nn
import torchvision
from onnx import TensorProto, helper, numpy_helper
import numpy as np

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "data", "onnx")


def export(model, x, path, opset=13, fold=True):
    model.eval()
    torch.onnx.export(model, x, path, opset_version=opset, input_names=["input"], output_names=["logits"],
                      dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}}, do_constant_folding=fold)


def structure_only(name, model, opset=13):
    """Exports with the weights as external data, then deletes the data file."""
    full = os.path.join(OUT, name + ".full.onnx")
    export(model, torch.zeros(1, 3, 224, 224), full, opset)
    m = onnx.load(full)
    os.remove(full)
    path = os.path.join(OUT, name + ".onnx")
    data = name + ".weights"  # never kept
    onnx.save_model(m, path, save_as_external_data=True, all_tensors_to_one_file=True, location=data,
                    size_threshold=0)
    os.remove(os.path.join(OUT, data))


class SmallNet(nn.Module):
    """A user's own small Fashion-MNIST model touching every kind the importer maps."""

    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(1, 16, 3, stride=1, padding=1, bias=False)
        self.bn = nn.BatchNorm2d(16, eps=1e-3)
        self.pool = nn.MaxPool2d(2)
        self.dw = nn.Conv2d(16, 16, 3, padding=1, groups=16, bias=False)
        self.bn2 = nn.BatchNorm2d(16)
        self.pw = nn.Conv2d(16, 16, 1)
        self.down = nn.Conv2d(16, 24, 3, stride=2, padding=1)
        self.avg = nn.AvgPool2d(2)
        self.fc1 = nn.Linear(24 * 3 * 3, 32)
        self.fc2 = nn.Linear(32, 10)

    def forward(self, x):
        x = self.pool(torch.relu(self.bn(self.stem(x))))
        y = torch.clamp(self.bn2(self.dw(x)), 0, 6)
        x = x + self.pw(y)
        x = self.avg(torch.relu(self.down(x)))
        x = torch.flatten(x, 1)
        x = nn.functional.dropout(torch.relu(self.fc1(x)), 0.2, self.training)
        return self.fc2(x)


def randomize_bn(model, gen):
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.running_mean.copy_(torch.randn(m.num_features, generator=gen) * 0.1)
            m.running_var.copy_(torch.rand(m.num_features, generator=gen) + 0.5)
            m.weight.data.copy_(torch.rand(m.num_features, generator=gen) + 0.5)
            m.bias.data.copy_(torch.randn(m.num_features, generator=gen) * 0.1)


class SmallBlocks(nn.Module):
    """Squeeze-and-excitation, concatenation and the smooth activations of MobileNetV3 / EfficientNet."""

    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(1, 8, 3, stride=2, padding=1)
        self.left = nn.Conv2d(8, 8, 1)
        self.right = nn.Conv2d(8, 8, 3, padding=1)
        self.se1 = nn.Conv2d(16, 8, 1)
        self.se2 = nn.Conv2d(8, 16, 1)
        self.dw = nn.Conv2d(16, 16, 3, stride=2, padding=1, groups=16)
        self.fc = nn.Linear(16, 10)

    def forward(self, x):
        x = nn.functional.hardswish(self.stem(x))
        x = torch.cat([torch.sigmoid(self.left(x)) * x, nn.functional.silu(self.right(x))], 1)
        s = nn.functional.adaptive_avg_pool2d(x, 1)
        s = nn.functional.hardsigmoid(self.se2(torch.relu(self.se1(s))))
        x = nn.functional.hardswish(self.dw(x * s))
        return self.fc(torch.flatten(nn.functional.adaptive_avg_pool2d(x, 1), 1))


def with_reference(name, model, shape, opset=13):
    gen = torch.Generator().manual_seed(7)
    randomize_bn(model, gen)
    model.eval()
    x = torch.rand(2, *shape, generator=gen)
    path = os.path.join(OUT, name + ".onnx")
    export(model, x[:1], path, opset, fold=False)
    with torch.no_grad():
        y = model(x)
    ref = {"input_shape": list(shape), "input": [float(v) for v in x.flatten()],
           "logits": [[float(v) for v in row] for row in y]}
    with open(os.path.join(OUT, name + ".ref.json"), "w") as f:
        json.dump(ref, f)


def graph_file(name, nodes, inputs, outputs, inits=(), opset=13, raw=None):
    g = helper.make_graph(nodes, name, inputs, outputs, list(inits))
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)], producer_name="poq-tests")
    data = m.SerializeToString()
    if raw is not None:
        data = raw(data)
    with open(os.path.join(OUT, name + ".onnx"), "wb") as f:
        f.write(data)


def init(name, shape, seed=1):
    rng = np.random.default_rng(seed)
    return numpy_helper.from_array(rng.standard_normal(shape).astype(np.float32) * 0.1, name)


def vi(name, dims):
    return helper.make_tensor_value_info(name, TensorProto.FLOAT, dims)


def hand_written():
    x = vi("x", [1, 3, 9, 9])
    # Asymmetric padding (as TensorFlow's SAME padding exports): pads = [top, left, bottom, right], and
    # a batch normalization with epsilon 1e-3 (PyTorch folds its own into the convolution).
    w, fw, fb = init("w", [8, 3, 3, 3]), init("fw", [4, 8], 2), init("fb", [4], 3)
    rng = np.random.default_rng(5)
    bn = {k: rng.uniform(0.5, 1.5, 8).astype(np.float32) if k in ("scale", "var") else
          (rng.standard_normal(8) * 0.1).astype(np.float32) for k in ("scale", "bias", "mean", "var")}
    graph_file("asymmetric_pads", [
        helper.make_node("Conv", ["x", "w"], ["c"], name="conv", pads=[0, 0, 1, 1], strides=[2, 2],
                         kernel_shape=[3, 3]),
        helper.make_node("BatchNormalization", ["c", "bn.scale", "bn.bias", "bn.mean", "bn.var"], ["b"],
                         name="bn", epsilon=1e-3),
        helper.make_node("Relu", ["b"], ["r"], name="relu"),
        helper.make_node("GlobalAveragePool", ["r"], ["g"], name="gap"),
        helper.make_node("Flatten", ["g"], ["f"], name="flatten"),
        helper.make_node("Gemm", ["f", "fw", "fb"], ["y"], name="fc", transB=1),
    ], [x], [vi("y", [1, 4])], [w, fw, fb] + [numpy_helper.from_array(v, "bn." + k) for k, v in bn.items()])
    t = lambda a: torch.from_numpy(numpy_helper.to_array(a).copy())
    xs = torch.rand(2, 3, 9, 9, generator=torch.Generator().manual_seed(3))
    c = nn.functional.conv2d(nn.functional.pad(xs, (0, 1, 0, 1)), t(w), stride=2)
    b = nn.functional.batch_norm(c, torch.from_numpy(bn["mean"]), torch.from_numpy(bn["var"]),
                                 torch.from_numpy(bn["scale"]), torch.from_numpy(bn["bias"]), False, 0.0, 1e-3)
    y = nn.functional.linear(torch.relu(b).mean((2, 3)), t(fw), t(fb))
    with open(os.path.join(OUT, "asymmetric_pads.ref.json"), "w") as f:
        json.dump({"input_shape": [3, 9, 9], "input": [float(v) for v in xs.flatten()],
                   "logits": [[float(v) for v in row] for row in y]}, f)
    conv = lambda out: helper.make_node("Conv", ["x", "w"], [out], name="conv", pads=[1, 1, 1, 1],
                                        kernel_shape=[3, 3])
    w = init("w", [8, 3, 3, 3])
    # Bad input, one defect per file.
    graph_file("bad_unsupported_op", [conv("c"), helper.make_node("Softsign", ["c"], ["y"], name="odd")],
               [x], [vi("y", None)], [w])
    graph_file("bad_symbolic_dims", [conv("y")],
               [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["n", 3, "h", "w"])], [vi("y", None)], [w])
    graph_file("bad_missing_initializer", [conv("y")], [x], [vi("y", None)], [])
    graph_file("bad_cycle", [
        helper.make_node("Add", ["x", "b"], ["a"], name="first"),
        helper.make_node("Relu", ["a"], ["b"], name="second"),
    ], [x], [vi("b", None)])
    graph_file("bad_add_shapes", [
        conv("c"),
        helper.make_node("Conv", ["x", "w2"], ["d"], name="conv2", strides=[2, 2], kernel_shape=[1, 1]),
        helper.make_node("Add", ["c", "d"], ["y"], name="join"),
    ], [x], [vi("y", None)], [w, init("w2", [8, 3, 1, 1], 4)])
    graph_file("bad_qdq_scales", [
        helper.make_node("QuantizeLinear", ["x", "s", "z"], ["q"], name="quant"),
        helper.make_node("DequantizeLinear", ["q", "s", "z"], ["dq"], name="dequant"),
        helper.make_node("Conv", ["dq", "w"], ["y"], name="conv", kernel_shape=[3, 3]),
        helper.make_node("GlobalAveragePool", ["x"], ["s"], name="dynamic_scale"),
    ], [x], [vi("y", None)], [w, numpy_helper.from_array(np.array(0, dtype=np.uint8), "z")])
    graph_file("bad_truncated", [conv("y")], [x], [vi("y", None)], [w], raw=lambda d: d[: len(d) * 2 // 3])
    graph_file("bad_opset", [conv("y")], [x], [vi("y", None)], [w], opset=7)
    with open(os.path.join(OUT, "bad_not_protobuf.onnx"), "wb") as f:
        f.write(b"this is not an ONNX model\n" * 4)


def main():
    os.makedirs(OUT, exist_ok=True)
    torch.manual_seed(0)
    tv = torchvision.models
    structure_only("mobilenet_v2", tv.mobilenet_v2())
    structure_only("mobilenet_v2_w0.5", tv.mobilenet_v2(width_mult=0.5))
    structure_only("mobilenet_v3_small", tv.mobilenet_v3_small())
    structure_only("mobilenet_v3_large", tv.mobilenet_v3_large(), opset=17)
    structure_only("resnet18", tv.resnet18())
    structure_only("resnet50", tv.resnet50())
    structure_only("efficientnet_b0", tv.efficientnet_b0())
    torch.manual_seed(1)
    with_reference("small_cnn", SmallNet(), (1, 28, 28))
    torch.manual_seed(2)
    with_reference("small_blocks", SmallBlocks(), (1, 28, 28), opset=14)
    hand_written()


if __name__ == "__main__":
    sys.exit(main())
