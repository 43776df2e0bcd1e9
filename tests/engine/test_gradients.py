"""Backpropagation against finite differences and against PyTorch autograd,
for every hidden activation × output/loss pairing × regulariser."""

from __future__ import annotations

import itertools
import zlib

import numpy as np
import pytest

from engine import Dense, Network, check_gradients, numeric_gradient, relative_error

HIDDEN = ("sigmoid", "tanh", "relu", "leaky_relu", "linear")
OUTPUT_LOSS = (
    ("sigmoid", "bce", 1),
    ("softmax", "cross_entropy", 3),
    ("linear", "mse", 2),
    ("sigmoid", "mse", 2),
    ("tanh", "mse", 2),
    ("softmax", "mse", 3),
)
REGULARISERS = {"none": (0.0, 0.0), "l1": (0.03, 0.0), "l2": (0.0, 0.05), "both": (0.02, 0.04)}

COMBOS = [
    pytest.param(h, o, loss, k, reg, id=f"{h}-{o}-{loss}-{reg}")
    for h, (o, loss, k), reg in itertools.product(HIDDEN, OUTPUT_LOSS, REGULARISERS)
]


def _seed(*parts) -> int:
    """A seed that is the same in every process (unlike ``hash`` of a string)."""
    return zlib.crc32("/".join(map(str, parts)).encode())


def _grads_close(analytic, numeric, what):
    analytic = np.asarray(analytic)
    numeric = np.asarray(numeric)
    # central differences with ε = 1e-6: truncation ~1e-12, round-off ~1e-10
    np.testing.assert_allclose(analytic, numeric, rtol=1e-6, atol=1e-8, err_msg=what)


@pytest.mark.parametrize("hidden,out,loss,k,reg", COMBOS)
def test_backprop_matches_engine_gradcheck(ref, hidden, out, loss, k, reg):
    l1, l2 = REGULARISERS[reg]
    net, x, y = ref.make_case(hidden, out, loss, k, l1, l2, seed=_seed(hidden, out, loss, reg))
    before = net.params.copy()
    report = check_gradients(net, x, y)
    assert np.array_equal(net.params, before), "check_gradients must leave the network as it was"
    assert report["max_relative_error"] < 1e-5
    for i, entry in enumerate(report["layers"]):
        _grads_close(entry["analytic_dW"], entry["dW"], f"layer {i} dW")
        _grads_close(entry["analytic_db"], entry["db"], f"layer {i} db")


@pytest.mark.parametrize("hidden,out,loss,k,reg", COMBOS)
def test_backprop_matches_independent_finite_differences(ref, hidden, out, loss, k, reg):
    l1, l2 = REGULARISERS[reg]
    net, x, y = ref.make_case(hidden, out, loss, k, l1, l2, seed=_seed(1, hidden, out, loss, reg))
    params, acts = ref.net_params(net), ref.net_acts(net)
    total = net.forward_backward(x, y)
    # the loss itself, against the textbook formula
    expected_data = ref.ref_total_loss(params, acts, loss, x, y)
    expected_pen = ref.ref_penalty(params, l1, l2)
    assert net.data_loss == pytest.approx(expected_data, rel=1e-12, abs=1e-14)
    assert net.penalty_value == pytest.approx(expected_pen, rel=1e-12, abs=1e-14)
    assert total == pytest.approx(expected_data + expected_pen, rel=1e-12)
    numeric = ref.ref_fd_gradient(params, acts, loss, x, y, l1, l2)
    for i, (layer, (gW, gb)) in enumerate(zip(net.layers, numeric, strict=True)):
        _grads_close(layer.dW, gW, f"layer {i} dW")
        _grads_close(layer.db, gb, f"layer {i} db")
    # the flat gradient buffer holds exactly the per-layer views
    flat = np.concatenate([np.concatenate([layer.dW.ravel(), layer.db]) for layer in net.layers])
    assert np.array_equal(net.grads, flat)


@pytest.mark.parametrize("hidden,out,loss,k,reg", COMBOS)
def test_backprop_matches_torch_autograd(ref, hidden, out, loss, k, reg):
    torch = pytest.importorskip("torch")
    l1, l2 = REGULARISERS[reg]
    net, x, y = ref.make_case(hidden, out, loss, k, l1, l2, seed=_seed(2, hidden, out, loss, reg))
    tparams = ref.torch_net(torch, net)
    total, data, pen, zs, outs = ref.torch_pass(torch, tparams, ref.net_acts(net), loss, x, y, l1, l2)

    loss_value = net.forward_backward(x, y)
    ref.assert_close(loss_value, total.item(), what="loss")
    ref.assert_close(net.data_loss, data.item(), what="data loss")
    ref.assert_close(net.penalty_value, pen.item(), what="penalty")
    last = len(net.layers) - 1
    for i, layer in enumerate(net.layers):
        W, b = tparams[i]
        ref.assert_close(layer.z, zs[i].detach().numpy(), what=f"layer {i} z")
        ref.assert_close(layer.a, outs[i].detach().numpy(), what=f"layer {i} a")
        ref.assert_close(layer.dL_dz, zs[i].grad.numpy(), what=f"layer {i} dL_dz")
        ref.assert_close(layer.dW, W.grad.numpy(), what=f"layer {i} dW")
        ref.assert_close(layer.db, b.grad.numpy(), what=f"layer {i} db")
        if i < last:
            ref.assert_close(layer.dL_da, outs[i].grad.numpy(), what=f"layer {i} dL_da")

    # the public trace of the same batch says the same, and includes ∂L/∂ŷ
    tr = net.trace(x, y)
    ref.assert_close(tr["loss"], total.item(), what="trace loss")
    for i, layer in enumerate(tr["layers"]):
        W, b = tparams[i]
        ref.assert_close(layer["dL_dz"], zs[i].grad.numpy(), what=f"trace layer {i} dL_dz")
        ref.assert_close(layer["dW"], W.grad.numpy(), what=f"trace layer {i} dW")
        ref.assert_close(layer["db"], b.grad.numpy(), what=f"trace layer {i} db")
    if loss == "mse":  # ŷ is a node of torch's graph only when the loss is not fused with the output
        ref.assert_close(tr["layers"][-1]["dL_da"], outs[-1].grad.numpy(), what="trace output dL_da")
    else:
        y_hat = outs[-1].detach().numpy()
        expected = (y_hat - y) / (y_hat * (1 - y_hat)) / len(y) if loss == "bce" else -y / y_hat / len(y)
        ref.assert_close(tr["layers"][-1]["dL_da"], expected, rtol=1e-9, what="trace output dL_da (formula)")


@pytest.mark.parametrize("loss,out,k", [("bce", "sigmoid", 1), ("cross_entropy", "softmax", 4), ("mse", "linear", 1)])
def test_single_layer_network_matches_torch(ref, loss, out, k):
    """No hidden layer: the output layer is also the first layer."""
    torch = pytest.importorskip("torch")
    net, x, y = ref.make_case("tanh", out, loss, k, 0.01, 0.02, hidden=(), n_in=2, n=7, seed=11)
    tparams = ref.torch_net(torch, net)
    total, *_ = ref.torch_pass(torch, tparams, [out], loss, x, y, 0.01, 0.02)
    ref.assert_close(net.forward_backward(x, y), total.item())
    ref.assert_close(net.layers[0].dW, tparams[0][0].grad.numpy())
    ref.assert_close(net.layers[0].db, tparams[0][1].grad.numpy())


@pytest.mark.parametrize("hidden", HIDDEN)
def test_deep_network_matches_torch(ref, hidden):
    torch = pytest.importorskip("torch")
    net, x, y = ref.make_case(hidden, "sigmoid", "bce", 1, 0.0, 0.01, hidden=(5, 4, 4, 3, 3), n=9, seed=5)
    tparams = ref.torch_net(torch, net)
    total, _, _, zs, _ = ref.torch_pass(torch, tparams, ref.net_acts(net), "bce", x, y, 0.0, 0.01)
    ref.assert_close(net.forward_backward(x, y), total.item())
    for i, layer in enumerate(net.layers):
        ref.assert_close(layer.dL_dz, zs[i].grad.numpy(), what=f"layer {i} dL_dz")
        ref.assert_close(layer.dW, tparams[i][0].grad.numpy(), what=f"layer {i} dW")


def test_penalty_gradient_excludes_biases(ref):
    """With all data gradients removed (linear net, zero error), only 2·l2·W + l1·sign(W) is left."""
    layer = Dense(2, 1, "linear")
    layer.W[...] = [[0.5, -2.0]]
    layer.b[...] = [0.25]
    net = Network([layer], "mse", l1=0.1, l2=0.3)
    x = np.array([[1.0, 2.0], [-1.0, 0.5]])
    y = x @ layer.W.T + layer.b  # a perfect fit: the data gradient is exactly 0
    total = net.forward_backward(x, y)
    assert net.data_loss == 0.0
    assert total == pytest.approx(0.3 * (0.25 + 4.0) + 0.1 * 2.5)
    np.testing.assert_allclose(layer.dW, [[2 * 0.3 * 0.5 + 0.1, 2 * 0.3 * -2.0 - 0.1]], rtol=1e-15)
    assert layer.db.tolist() == [0.0]


def test_numeric_gradient_leaves_weights_untouched_and_is_accurate(ref):
    net, x, y = ref.make_case("tanh", "sigmoid", "bce", 1, seed=3)
    net.forward_backward(x, y)
    before = net.params.copy()
    g = numeric_gradient(net, x, y, 1, "W", (2, 1))
    assert np.array_equal(net.params, before)
    assert g == pytest.approx(net.layers[1].dW[2, 1], rel=1e-6)
    gb = numeric_gradient(net, x, y, 0, "b", (3,))
    assert gb == pytest.approx(net.layers[0].db[3], rel=1e-6)


def test_relative_error():
    assert relative_error(1.0, 1.0) == 0.0
    assert relative_error(1.0, 1.1) == pytest.approx(0.1 / 1.1)
    assert relative_error(0.0, 0.0) == 0.0
    assert relative_error(1e-20, -1e-20) == pytest.approx(2e-8)


def test_gradients_stay_finite_for_saturated_logits(ref):
    """Logits of ±1000: a confident right answer has a 0 gradient, a confident
    wrong one the gradient (ŷ − y)/N; nothing is NaN or infinite."""
    layer = Dense(1, 1, "sigmoid")
    layer.W[...] = [[1000.0]]
    net = Network([layer], "bce")
    x = np.array([[1.0], [-1.0], [1.0], [-1.0]])
    y = np.array([[1.0], [0.0], [0.0], [1.0]])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        loss = net.forward_backward(x, y)
        tr = net.trace(x, y)
    assert loss == pytest.approx((0 + 0 + 1000 + 1000) / 4)
    np.testing.assert_array_equal(layer.dL_dz, [[0.0], [0.0], [0.25], [-0.25]])
    assert np.isfinite(tr["layers"][0]["dL_da"]).all()
    assert layer.dW[0, 0] == pytest.approx(0.25 * 1.0 + -0.25 * -1.0)

    sm = Dense(1, 3, "softmax")
    sm.W[...] = [[1000.0], [-1000.0], [0.0]]
    net = Network([sm], "cross_entropy")
    y = np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        loss = net.forward_backward(np.array([[1.0], [1.0]]), y)
        net.trace(np.array([[1.0], [1.0]]), y)
    assert loss == pytest.approx(2000.0 / 2)
    np.testing.assert_allclose(sm.dL_dz, [[0.5, -0.5, 0.0], [0.0, 0.0, 0.0]], atol=1e-300)


@pytest.mark.parametrize("hidden,out,loss,k", [("tanh", "sigmoid", "bce", 1), ("relu", "softmax", "cross_entropy", 3),
                                               ("sigmoid", "linear", "mse", 2)])
def test_first_layer_bias_inside_its_product_gives_the_same_pass(ref, hidden, out, loss, k):
    """The trainer hands the first layer ``[x, 1]`` so that one product
    ``[x, 1] · [Wᵀ; b]`` adds the bias too: every kept value and gradient must
    be those of the textbook ``z = x·Wᵀ + b``."""
    net, x, y = ref.make_case(hidden, out, loss, k, 0.01, 0.02, n=40, seed=_seed("ones", hidden, loss), margin=0.0)
    twin = net.copy()
    x_ones = np.hstack([x, np.ones((x.shape[0], 1))])
    assert twin.forward_backward(x, y, True, x_ones) == pytest.approx(net.forward_backward(x, y), rel=1e-14)
    first = twin.layers[0]
    assert first.a_in is x
    np.testing.assert_allclose(first.z, x @ first.W.T + first.b, rtol=1e-14, atol=1e-15)
    for plain, folded in zip(net.layers, twin.layers, strict=True):
        for name in ("z", "a", "dL_dz", "dW", "db"):
            np.testing.assert_allclose(getattr(folded, name), getattr(plain, name), rtol=1e-13, atol=1e-15, err_msg=name)
    np.testing.assert_allclose(twin.grads, net.grads, rtol=1e-13, atol=1e-15)
