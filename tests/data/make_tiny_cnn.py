# Generates tiny_cnn.onnx (Conv 3x3 -> Relu -> GlobalAveragePool -> Flatten -> Gemm -> Softmax,
# input 'input' [1, 1, 8, 8]) and its reference input/output computed with NumPy loops.
# Run from this folder with /usr/bin/python3 (python3-onnx, python3-numpy); the outputs are committed.
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

rng = np.random.default_rng(7)
w = rng.standard_normal((4, 1, 3, 3)).astype(np.float32)
b = rng.standard_normal(4).astype(np.float32)
fc_w = rng.standard_normal((3, 4)).astype(np.float32)
fc_b = rng.standard_normal(3).astype(np.float32)
nodes = [
    helper.make_node("Conv", ["input", "w", "b"], ["conv"], name="conv", pads=[1, 1, 1, 1]),
    helper.make_node("Relu", ["conv"], ["relu"], name="relu"),
    helper.make_node("GlobalAveragePool", ["relu"], ["pool"], name="pool"),
    helper.make_node("Flatten", ["pool"], ["flat"], name="flatten"),
    helper.make_node("Gemm", ["flat", "fc_w", "fc_b"], ["logits"], name="fc", transB=1),
    helper.make_node("Softmax", ["logits"], ["probabilities"], name="softmax", axis=1),
]
graph = helper.make_graph(
    nodes, "tiny_cnn",
    [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 1, 8, 8])],
    [helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, [1, 3])],
    [numpy_helper.from_array(w, "w"), numpy_helper.from_array(b, "b"),
     numpy_helper.from_array(fc_w, "fc_w"), numpy_helper.from_array(fc_b, "fc_b")])
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], producer_name="tinynn tests")
onnx.checker.check_model(model)
onnx.save(model, "tiny_cnn.onnx")

x = rng.standard_normal((1, 1, 8, 8)).astype(np.float32)
padded = np.pad(x[0, 0].astype(np.float64), 1)
conv = np.zeros((4, 8, 8))
for o in range(4):
    for i in range(8):
        for j in range(8):
            conv[o, i, j] = b[o] + np.sum(padded[i:i + 3, j:j + 3] * w[o, 0])
pooled = np.maximum(conv, 0).mean(axis=(1, 2))
logits = fc_w.astype(np.float64) @ pooled + fc_b
probabilities = np.exp(logits - logits.max())
probabilities /= probabilities.sum()
np.save("tiny_cnn.input_0.npy", x)
np.save("tiny_cnn.output_0.npy", probabilities.astype(np.float32).reshape(1, 3))
