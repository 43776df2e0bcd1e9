"""Shared helpers for the engine tests.

Everything here is an *independent* reference: a plain NumPy forward pass and
loss written from the textbook formulas (not from the engine's code), a
finite-difference gradient over that reference, and a float64 PyTorch twin of
an engine network.  Tests reach the helpers through the ``ref`` fixture, so no
test module imports this file by name.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from engine import build_dense

LEAKY_SLOPE = 0.01  # the engine's (and PyTorch's default) leaky-ReLU slope

# -- a reference forward pass, written from the formulas ---------------------
def ref_activation(name: str, z: np.ndarray) -> np.ndarray:
    if name == "sigmoid":
        return 1.0 / (1.0 + np.exp(-z))
    if name == "tanh":
        e2 = np.exp(2.0 * z)
        return (e2 - 1.0) / (e2 + 1.0)
    if name == "relu":
        return np.where(z > 0, z, 0.0)
    if name == "leaky_relu":
        return np.where(z > 0, z, LEAKY_SLOPE * z)
    if name == "linear":
        return z.copy()
    if name == "softmax":
        e = np.exp(z - z.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)
    raise ValueError(name)


def ref_forward(params, acts, x):
    """``params`` = [(W, b), ...] with W of shape (n_out, n_in); returns (zs, as)."""
    zs, outs = [], []
    a = x
    for (W, b), act in zip(params, acts, strict=True):
        z = np.einsum("ij,nj->ni", W, a) + b  # z_i = Σ_j W_ij a_j + b_i, per sample
        a = ref_activation(act, z)
        zs.append(z)
        outs.append(a)
    return zs, outs


def ref_data_loss(loss: str, y_hat: np.ndarray, y: np.ndarray) -> float:
    n = y.shape[0]
    if loss == "mse":
        return float(np.sum((y - y_hat) ** 2) / y.size)
    if loss == "bce":
        return float(-np.sum(y * np.log(y_hat) + (1 - y) * np.log(1 - y_hat)) / n)
    if loss == "cross_entropy":
        return float(-np.sum(y * np.log(y_hat)) / n)
    raise ValueError(loss)


def ref_penalty(params, l1: float, l2: float) -> float:
    return sum(l2 * float(np.sum(W * W)) + l1 * float(np.sum(np.abs(W))) for W, _ in params)


def ref_total_loss(params, acts, loss, x, y, l1=0.0, l2=0.0) -> float:
    _, outs = ref_forward(params, acts, x)
    return ref_data_loss(loss, outs[-1], y) + ref_penalty(params, l1, l2)


def ref_fd_gradient(params, acts, loss, x, y, l1=0.0, l2=0.0, eps=1e-6):
    """Central differences of ``ref_total_loss`` for every W and b entry."""
    params = [(W.copy(), b.copy()) for W, b in params]
    grads = []
    for W, b in params:
        gW, gb = np.zeros_like(W), np.zeros_like(b)
        for arr, g in ((W, gW), (b, gb)):
            for idx in np.ndindex(arr.shape):
                old = arr[idx]
                arr[idx] = old + eps
                up = ref_total_loss(params, acts, loss, x, y, l1, l2)
                arr[idx] = old - eps
                down = ref_total_loss(params, acts, loss, x, y, l1, l2)
                arr[idx] = old
                g[idx] = (up - down) / (2 * eps)
        grads.append((gW, gb))
    return grads


def net_params(net):
    return [(layer.W.copy(), layer.b.copy()) for layer in net.layers]


def net_acts(net):
    return [layer.activation.name for layer in net.layers]


# -- random test cases away from every kink ----------------------------------
def make_targets(rng, loss: str, out_act: str, n: int, k: int) -> np.ndarray:
    if loss == "bce":
        return rng.integers(0, 2, (n, 1)).astype(np.float64)
    if loss == "cross_entropy":
        y = np.zeros((n, k))
        y[np.arange(n), rng.integers(0, k, n)] = 1.0
        return y
    if out_act == "sigmoid":
        return rng.uniform(0.05, 0.95, (n, k))
    if out_act == "softmax":
        return rng.dirichlet(np.ones(k), n)
    if out_act == "tanh":
        return rng.uniform(-0.9, 0.9, (n, k))
    return rng.normal(0.0, 1.0, (n, k))


def make_case(hidden_act, out_act, loss, k, l1=0.0, l2=0.0, hidden=(4, 3), n_in=3, n=6, seed=0, margin=0.05):
    """An engine network with random weights, a batch (x, y), drawn so that
    no pre-activation of a hidden layer and no weight lies within ``margin``
    of 0 (the kinks of ReLU, leaky ReLU and |W|)."""
    rng = np.random.default_rng(seed)
    sizes = [n_in, *hidden, k]
    acts = [hidden_act] * len(hidden) + [out_act]
    for _ in range(1000):
        params = []
        for i in range(len(sizes) - 1):
            W = rng.normal(0.0, 1.0 / np.sqrt(sizes[i]), (sizes[i + 1], sizes[i]))
            W = np.where(np.abs(W) < margin, np.sign(W + 1e-300) * margin * 2, W)
            b = rng.normal(0.0, 0.3, sizes[i + 1])
            params.append((W, b))
        x = rng.normal(0.0, 1.0, (n, n_in))
        zs, _ = ref_forward(params, acts, x)
        if all(np.abs(z).min() > margin for z in zs[:-1]):
            break
    else:  # pragma: no cover
        raise RuntimeError("could not draw a kink-free case")
    y = make_targets(rng, loss, out_act, n, k)
    net = build_dense(sizes, acts, loss, l1, l2)
    for layer, (W, b) in zip(net.layers, params, strict=True):
        layer.W[...] = W
        layer.b[...] = b
    return net, x, y


# -- comparisons ---------------------------------------------------------------
def assert_close(actual, expected, rtol=1e-10, what=""):
    """Equal to ``rtol`` relative to the scale of ``expected`` (its largest
    entry), so that entries that cancel to ~0 do not demand impossible digits."""
    actual = np.asarray(actual, dtype=np.float64)
    expected = np.asarray(expected, dtype=np.float64)
    assert actual.shape == expected.shape, f"{what}: shape {actual.shape} != {expected.shape}"
    scale = max(float(np.max(np.abs(expected))) if expected.size else 0.0, 1e-300)
    np.testing.assert_allclose(actual, expected, rtol=rtol, atol=rtol * scale, err_msg=what)


# -- a PyTorch twin --------------------------------------------------------------
def torch_act(torch, name, z):
    F = torch.nn.functional
    return {
        "sigmoid": torch.sigmoid,
        "tanh": torch.tanh,
        "relu": torch.relu,
        "leaky_relu": lambda t: F.leaky_relu(t, LEAKY_SLOPE),
        "linear": lambda t: t,
        "softmax": lambda t: torch.softmax(t, dim=1),
    }[name](z)


def torch_loss(torch, loss, z_out, a_out, y):
    F = torch.nn.functional
    if loss == "bce":
        return F.binary_cross_entropy_with_logits(z_out, y)
    if loss == "cross_entropy":
        return F.cross_entropy(z_out, y)  # y: class probabilities (one-hot)
    return F.mse_loss(a_out, y)


def torch_penalty(torch, weights, l1, l2):
    total = torch.zeros((), dtype=torch.float64)
    for W in weights:
        if l2:
            total = total + l2 * (W * W).sum()
        if l1:
            total = total + l1 * W.abs().sum()
    return total


def torch_params(torch, params, requires_grad=True):
    out = []
    for W, b in params:
        out.append((torch.tensor(W, dtype=torch.float64, requires_grad=requires_grad),
                    torch.tensor(b, dtype=torch.float64, requires_grad=requires_grad)))
    return out


def torch_pass(torch, tparams, acts, loss, x, y, l1=0.0, l2=0.0):
    """Forward and backward in PyTorch; returns (loss, data_loss, penalty, zs, as)
    with ``.grad`` filled on every z and a (retain_grad) and every parameter."""
    a = torch.tensor(x, dtype=torch.float64)
    yt = torch.tensor(y, dtype=torch.float64)
    zs, outs = [], []
    for (W, b), act in zip(tparams, acts, strict=True):
        z = a @ W.T + b
        z.retain_grad()
        a = torch_act(torch, act, z)
        if a is z:
            a = z.clone()  # a separate node, so that dL/da can be read on its own
        a.retain_grad()
        zs.append(z)
        outs.append(a)
    data = torch_loss(torch, loss, zs[-1], outs[-1], yt)
    pen = torch_penalty(torch, [W for W, _ in tparams], l1, l2)
    total = data + pen
    total.backward()
    return total, data, pen, zs, outs


def torch_net(torch, net):
    return torch_params(torch, net_params(net))


@pytest.fixture(scope="session")
def ref():
    """The helpers above, as one namespace."""
    # globals(), not sys.modules[__name__]: every conftest.py is named "conftest".
    return SimpleNamespace(**{k: v for k, v in globals().items() if not k.startswith("__")})
