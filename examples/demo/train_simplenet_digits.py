#!/usr/bin/python3
"""Trains SimpLeNet-v1 (28x28x1: conv5x5x3+relu, maxpool2, conv5x5x6+relu, maxpool2, dense 10) on the
handwritten digits that ship with scikit-learn (Debian python3-sklearn: 1797 8x8 images, upscaled 3x
and padded to 28x28), with plain numpy, and writes examples/demo/simplenet_digits.hpp: the trained
weights in tinynn's layouts (NHWC activations, OHWI convolutions, [out][in] dense over the HWC
flatten) and the held-out digits. Not needed to build or run the demo; rerun to regenerate:

    /usr/bin/python3 examples/demo/train_simplenet_digits.py
"""
import os

import numpy as np
from sklearn.datasets import load_digits

rng = np.random.default_rng(4)


def to_28x28(images8):
    """(N, 64) values 0..16 -> (N, 28, 28, 1) floats in [0, 1]: 3x nearest upscale, 2-pixel border."""
    x = images8.reshape(-1, 8, 8) / 16.0
    x = np.kron(x, np.ones((1, 3, 3)))
    return np.pad(x, ((0, 0), (2, 2), (2, 2)))[..., None].astype(np.float32)


def im2col(x, k, pad):
    """NHWC, stride 1, 'same' for odd k: (B*H*W, k*k*C) patches ordered (ky, kx, c)."""
    b, h, w, c = x.shape
    xp = np.pad(x, ((0, 0), (pad, pad), (pad, pad), (0, 0)))
    cols = np.empty((b, h, w, k, k, c), dtype=x.dtype)
    for ky in range(k):
        for kx in range(k):
            cols[:, :, :, ky, kx, :] = xp[:, ky:ky + h, kx:kx + w, :]
    return cols.reshape(b * h * w, k * k * c)


def col2im(dcols, shape, k, pad):
    b, h, w, c = shape
    d = dcols.reshape(b, h, w, k, k, c)
    dxp = np.zeros((b, h + 2 * pad, w + 2 * pad, c), dtype=dcols.dtype)
    for ky in range(k):
        for kx in range(k):
            dxp[:, ky:ky + h, kx:kx + w, :] += d[:, :, :, ky, kx, :]
    return dxp[:, pad:pad + h, pad:pad + w, :]


def conv_forward(x, wgt, bias):
    cols = im2col(x, 5, 2)
    out = cols @ wgt.reshape(wgt.shape[0], -1).T + bias
    return out.reshape(x.shape[0], x.shape[1], x.shape[2], wgt.shape[0]), cols


def pool_forward(x):
    b, h, w, c = x.shape
    r = x.reshape(b, h // 2, 2, w // 2, 2, c)
    out = r.max(axis=(2, 4))
    mask = r == out[:, :, None, :, None, :]
    return out, mask


def pool_backward(dout, mask):
    d = mask * dout[:, :, None, :, None, :]
    b, h2, _, w2, _, c = d.shape
    return d.reshape(b, h2 * 2, w2 * 2, c)


def init(shape, fan_in):
    return (rng.standard_normal(shape) * np.sqrt(2.0 / fan_in)).astype(np.float32)


params = {
    "w1": init((3, 5, 5, 1), 25), "b1": np.zeros(3, np.float32),
    "w2": init((6, 5, 5, 3), 75), "b2": np.zeros(6, np.float32),
    "w3": init((10, 294), 294), "b3": np.zeros(10, np.float32),
}


def forward(x, keep=False):
    c1, cols1 = conv_forward(x, params["w1"], params["b1"])
    r1 = np.maximum(c1, 0)
    p1, m1 = pool_forward(r1)
    c2, cols2 = conv_forward(p1, params["w2"], params["b2"])
    r2 = np.maximum(c2, 0)
    p2, m2 = pool_forward(r2)
    flat = p2.reshape(x.shape[0], -1)  # HWC order: tinynn's Flatten of NHWC
    logits = flat @ params["w3"].T + params["b3"]
    if keep:
        return logits, (x, cols1, c1, m1, p1, cols2, c2, m2, flat)
    return logits


def backward(dlogits, cache):
    x, cols1, c1, m1, p1, cols2, c2, m2, flat = cache
    g = {"w3": dlogits.T @ flat, "b3": dlogits.sum(0)}
    dp2 = (dlogits @ params["w3"]).reshape(c2.shape[0], 7, 7, 6)
    dc2 = pool_backward(dp2, m2) * (c2 > 0)
    d2 = dc2.reshape(-1, 6)
    g["w2"] = (d2.T @ cols2).reshape(params["w2"].shape)
    g["b2"] = d2.sum(0)
    dp1 = col2im(d2 @ params["w2"].reshape(6, -1), p1.shape, 5, 2)
    dc1 = pool_backward(dp1, m1) * (c1 > 0)
    d1 = dc1.reshape(-1, 3)
    g["w1"] = (d1.T @ cols1).reshape(params["w1"].shape)
    g["b1"] = d1.sum(0)
    return g


digits = load_digits()
order = rng.permutation(len(digits.target))
test_count = 297
test_idx, train_idx = order[:test_count], order[test_count:]
x_train, y_train = to_28x28(digits.data[train_idx]), digits.target[train_idx]
x_test, y_test = to_28x28(digits.data[test_idx]), digits.target[test_idx]

moments = {k: (np.zeros_like(v), np.zeros_like(v)) for k, v in params.items()}
step, lr, batch = 0, 0.005, 32
for epoch in range(25):
    perm = rng.permutation(len(y_train))
    for start in range(0, len(perm), batch):
        idx = perm[start:start + batch]
        logits, cache = forward(x_train[idx], keep=True)
        p = np.exp(logits - logits.max(1, keepdims=True))
        p /= p.sum(1, keepdims=True)
        p[np.arange(len(idx)), y_train[idx]] -= 1
        grads = backward(p / len(idx), cache)
        step += 1
        for k, gk in grads.items():
            m, v = moments[k]
            m[...] = 0.9 * m + 0.1 * gk
            v[...] = 0.999 * v + 0.001 * gk * gk
            params[k] -= lr * (m / (1 - 0.9 ** step)) / (np.sqrt(v / (1 - 0.999 ** step)) + 1e-8)
    train_acc = (forward(x_train).argmax(1) == y_train).mean()
    test_acc = (forward(x_test).argmax(1) == y_test).mean()
    print(f"epoch {epoch + 1}: train {train_acc:.4f} test {test_acc:.4f}")


def array(name, values, ctype="float", fmt="{:.9g}f"):
    flat = np.asarray(values).ravel()
    items = [(fmt.format(float(v)) if ctype == "float" else str(int(v))) for v in flat]
    lines, line = [], ""
    for item in items:  # wrap between numbers, never inside one
        if line and len(line) + len(item) + 1 > 110:
            lines.append(line)
            line = ""
        line += item + ","
    lines.append(line)
    text = "\n    ".join(lines)
    return f"inline constexpr std::array<{ctype}, {len(flat)}> {name} = {{\n    {text}}};\n"


out_path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "simplenet_digits.hpp")
with open(out_path, "w") as f:
    f.write("// clang-format off\n")
    f.write("// Generated by examples/demo/train_simplenet_digits.py: do not edit. SimpLeNet-v1 trained with numpy on\n")
    f.write(f"// scikit-learn's digits (8x8 upscaled to 28x28); {len(y_train)} training digits, accuracy "
            f"{train_acc:.4f}; {test_count} held-out digits, accuracy {test_acc:.4f}.\n")
    f.write("#pragma once\n\n#include <array>\n#include <cstdint>\n\nnamespace simplenet_digits {\n\n")
    f.write("// Conv 1: OHWI [3][5][5][1]; conv 2: OHWI [6][5][5][3]; dense: [10][294] over the HWC flatten of 7x7x6.\n")
    for k in ["w1", "b1", "w2", "b2", "w3", "b3"]:
        f.write(array(k, params[k]))
    f.write("\n// Held-out digits: 8x8 values 0..16, row-major; the demo upscales them like the training did.\n")
    f.write(array("test_images", digits.data[test_idx].astype(np.uint8), "std::uint8_t"))
    f.write(array("test_labels", y_test, "std::uint8_t"))
    f.write(f"inline constexpr double python_test_accuracy = {test_acc:.6f};\n")
    f.write("\n}  // namespace simplenet_digits\n")
print("wrote", out_path)
