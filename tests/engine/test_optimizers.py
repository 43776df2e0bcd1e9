"""Update rules against hand-written arithmetic and against torch.optim."""

from __future__ import annotations

import json

import numpy as np
import pytest

from engine import OPTIMIZERS, Trainer, make_optimizer


def test_catalogue_and_unknown():
    assert set(OPTIMIZERS) == {"sgd", "momentum", "adam"}
    with pytest.raises(ValueError, match="unknown optimizer 'rmsprop'"):
        make_optimizer("rmsprop", 3, 0.1)


def _grads(k, size=5, seed=0):
    return [np.random.default_rng(seed + i).normal(size=size) for i in range(k)]


def test_sgd_by_hand():
    p = np.array([1.0, -2.0, 0.5])
    opt = make_optimizer("sgd", 3, 0.1)
    opt.update(p, np.array([0.5, 1.0, -4.0]))
    np.testing.assert_allclose(p, [0.95, -2.1, 0.9], rtol=1e-15)


def test_momentum_by_hand():
    """v ← μv + g, W ← W − ηv, v starting at 0 (heavy ball, no dampening)."""
    p = np.zeros(2)
    opt = make_optimizer("momentum", 2, 0.5, momentum=0.9)
    g1, g2, g3 = np.array([1.0, -1.0]), np.array([2.0, 0.0]), np.array([0.0, 0.0])
    opt.update(p, g1)  # v = g1
    np.testing.assert_allclose(p, [-0.5, 0.5])
    opt.update(p, g2)  # v = 0.9 g1 + g2 = [2.9, -0.9]
    np.testing.assert_allclose(p, [-0.5 - 1.45, 0.5 + 0.45])
    opt.update(p, g3)  # v = 0.9 v = [2.61, -0.81]
    np.testing.assert_allclose(p, [-1.95 - 1.305, 0.95 + 0.405])
    np.testing.assert_allclose(opt.velocity, [2.61, -0.81])


def test_adam_by_hand():
    lr, b1, b2, eps = 0.01, 0.9, 0.999, 1e-8
    p = np.array([0.3, -0.7, 1.5, 0.0, 2.0])
    ours = p.copy()
    opt = make_optimizer("adam", 5, lr)
    m = np.zeros(5)
    v = np.zeros(5)
    for t, g in enumerate(_grads(8), start=1):
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        m_hat = m / (1 - b1**t)
        v_hat = v / (1 - b2**t)
        p = p - lr * m_hat / (np.sqrt(v_hat) + eps)
        opt.update(ours, g)
        np.testing.assert_allclose(ours, p, rtol=1e-13, err_msg=f"step {t}")
    assert opt.t == 8


def test_adam_first_step_moves_every_weight_by_the_learning_rate():
    p = np.zeros(4)
    opt = make_optimizer("adam", 4, 0.05)
    g = np.array([3.0, -1e-3, 200.0, -7.0])
    opt.update(p, g)
    # m̂ = g, ŝ = g², so the step is η·g/(|g| + ε): ±η up to the ε
    np.testing.assert_allclose(p, -0.05 * g / (np.abs(g) + 1e-8), rtol=1e-13)
    np.testing.assert_allclose(p, [-0.05, 0.05, -0.05, 0.05], rtol=2e-5)


@pytest.mark.parametrize("name", ["sgd", "momentum", "adam"])
def test_state_round_trip_continues_identically(name):
    a = np.array([0.1, 0.2, -0.3, 0.4, 0.5])
    opt = make_optimizer(name, 5, 0.07, momentum=0.8)
    gs = _grads(6, seed=10)
    for g in gs[:3]:
        opt.update(a, g)
    b = a.copy()
    twin = make_optimizer(name, 5, 0.07, momentum=0.8)
    twin.load_state(json.loads(json.dumps(opt.state())))
    for g in gs[3:]:
        opt.update(a, g)
        twin.update(b, g)
    assert np.array_equal(a, b)


# -- against torch.optim -----------------------------------------------------------
def _torch_optimizer(torch, name, params, lr, momentum):
    if name == "sgd":
        return torch.optim.SGD(params, lr=lr)
    if name == "momentum":
        return torch.optim.SGD(params, lr=lr, momentum=momentum, dampening=0.0, nesterov=False)
    return torch.optim.Adam(params, lr=lr)


CASES = [
    pytest.param("sgd", 0.1, 0.0, 0.0, id="sgd"),
    pytest.param("sgd", 0.3, 0.01, 0.02, id="sgd-l1-l2"),
    pytest.param("momentum", 0.05, 0.0, 0.0, id="momentum"),
    pytest.param("momentum", 0.05, 0.0, 0.03, id="momentum-l2"),
    pytest.param("adam", 0.01, 0.0, 0.0, id="adam"),
    pytest.param("adam", 0.02, 0.02, 0.01, id="adam-l1-l2"),
]


@pytest.mark.parametrize("name,lr,l1,l2", CASES)
@pytest.mark.parametrize("net_kind", ["bce", "cross_entropy", "mse"])
def test_updates_match_torch_optim(ref, name, lr, l1, l2, net_kind):
    torch = pytest.importorskip("torch")
    out, k = {"bce": ("sigmoid", 1), "cross_entropy": ("softmax", 3), "mse": ("linear", 2)}[net_kind]
    net, _, _ = ref.make_case("tanh", out, net_kind, k, l1, l2, hidden=(5, 4), n_in=2, seed=21)
    tparams = ref.torch_net(torch, net)
    flat = [t for pair in tparams for t in pair]
    topt = _torch_optimizer(torch, name, flat, lr, 0.9)
    opt = make_optimizer(name, net.params.size, lr, momentum=0.9)
    rng = np.random.default_rng(7)
    acts = ref.net_acts(net)
    for step in range(1, 8):
        x = rng.normal(size=(10, 2))
        y = ref.make_targets(rng, net_kind, out, 10, k)
        topt.zero_grad()
        ref.torch_pass(torch, tparams, acts, net_kind, x, y, l1, l2)
        topt.step()
        net.forward_backward(x, y)
        opt.update(net.params, net.grads)
        for i, layer in enumerate(net.layers):
            ref.assert_close(layer.W, tparams[i][0].detach().numpy(), rtol=1e-10, what=f"step {step} layer {i} W")
            ref.assert_close(layer.b, tparams[i][1].detach().numpy(), rtol=1e-10, what=f"step {step} layer {i} b")


@pytest.mark.parametrize("name", ["sgd", "momentum", "adam"])
def test_trainer_updates_match_torch_optim(ref, name):
    """The whole trainer: its mini-batches (reconstructed from its shuffle
    order), its network and its optimizer, against PyTorch over 8 updates."""
    torch = pytest.importorskip("torch")
    lr = {"sgd": 0.3, "momentum": 0.1, "adam": 0.02}[name]
    t = Trainer({"dataset": "xor", "optimizer": name, "learning_rate": lr, "momentum": 0.8,
                 "batch_size": 10, "l2": 0.001, "hidden_layers": [4, 3]})
    tparams = ref.torch_net(torch, t.network)
    flat = [p for pair in tparams for p in pair]
    topt = _torch_optimizer(torch, name, flat, lr, 0.8)
    acts = ref.net_acts(t.network)
    for step in range(8):
        t.step(1)
        rows = t.order[10 * step : 10 * step + 10]  # the first epoch's order
        topt.zero_grad()
        ref.torch_pass(torch, tparams, acts, "bce", t.x_train[rows], t.y_train[rows], 0.0, 0.001)
        topt.step()
        for i, layer in enumerate(t.network.layers):
            ref.assert_close(layer.W, tparams[i][0].detach().numpy(), what=f"update {step + 1} layer {i} W")
            ref.assert_close(layer.b, tparams[i][1].detach().numpy(), what=f"update {step + 1} layer {i} b")


def test_sgd_l2_is_torch_weight_decay_of_twice_l2(ref):
    """l2·‖W‖² has gradient 2·l2·W: torch's weight_decay=2·l2 on the weights (not the biases)."""
    torch = pytest.importorskip("torch")
    l2 = 0.05
    net, x, y = ref.make_case("tanh", "sigmoid", "bce", 1, 0.0, l2, hidden=(3,), n_in=2, seed=4)
    tparams = ref.torch_net(torch, net)
    weights = [W for W, _ in tparams]
    biases = [b for _, b in tparams]
    topt = torch.optim.SGD([{"params": weights, "weight_decay": 2 * l2}, {"params": biases}], lr=0.2)
    opt = make_optimizer("sgd", net.params.size, 0.2)
    for _ in range(5):
        topt.zero_grad()
        ref.torch_pass(torch, tparams, ref.net_acts(net), "bce", x, y)
        topt.step()
        net.forward_backward(x, y)
        opt.update(net.params, net.grads)
    for i, layer in enumerate(net.layers):
        ref.assert_close(layer.W, tparams[i][0].detach().numpy())
        ref.assert_close(layer.b, tparams[i][1].detach().numpy())
