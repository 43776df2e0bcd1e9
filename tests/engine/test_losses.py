"""Loss values and their gradients, against closed forms worked out by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

from engine import LOSSES, get_activation
from engine.losses import check_pairing, get_loss


def _sig(z):
    return get_activation("sigmoid").forward(np.asarray(z, dtype=np.float64))


def _soft(z):
    return get_activation("softmax").forward(np.asarray(z, dtype=np.float64))


def test_catalogue():
    assert set(LOSSES) == {"mse", "bce", "cross_entropy"}
    assert LOSSES["bce"].fused_with == "sigmoid"
    assert LOSSES["cross_entropy"].fused_with == "softmax"
    assert LOSSES["mse"].fused_with is None
    with pytest.raises(ValueError, match="unknown loss 'hinge'"):
        get_loss("hinge")


# -- values -------------------------------------------------------------------
def test_mse_is_the_mean_over_every_element():
    y_hat = np.array([[1.5, 2.0], [2.0, 5.0]])
    y = np.array([[1.0, 2.0], [3.0, 4.0]])
    # (0.25 + 0 + 1 + 1) / 4 elements, not / 2 samples
    assert LOSSES["mse"].value(y_hat, y_hat, y) == 0.5625
    assert LOSSES["mse"].value(y, y, y) == 0.0
    # and the formula the page shows says so (it said 1/N, which is twice 0.5625 here)
    assert LOSSES["mse"].formula.startswith("L = 1/(N·K) Σ_i Σ_k")


def test_mse_single_output():
    y_hat = np.array([[0.1], [0.4], [-0.2]])
    y = np.array([[0.0], [1.0], [0.0]])
    assert LOSSES["mse"].value(y_hat, y_hat, y) == pytest.approx((0.01 + 0.36 + 0.04) / 3, rel=1e-15)


def test_bce_closed_forms():
    bce = LOSSES["bce"]
    z = np.zeros((3, 1))
    y = np.array([[1.0], [0.0], [1.0]])
    assert bce.value(z, _sig(z), y) == pytest.approx(math.log(2.0), rel=1e-15)
    z = np.array([[2.0], [-1.0], [0.5]])
    y = np.array([[1.0], [1.0], [0.0]])
    # −log σ(2) = log(1 + e^−2); −log σ(−1) = log(1 + e); −log(1 − σ(0.5)) = log(1 + e^0.5)
    expected = (math.log1p(math.exp(-2.0)) + math.log1p(math.e) + math.log1p(math.exp(0.5))) / 3
    assert bce.value(z, _sig(z), y) == pytest.approx(expected, rel=1e-14)


@pytest.mark.parametrize("n", [50, 600])  # a mini-batch and a data set take different (equal) formulas
def test_bce_matches_probability_form(n):
    rng = np.random.default_rng(0)
    z = rng.normal(0.0, 3.0, (n, 1))
    y = rng.integers(0, 2, (n, 1)).astype(float)
    p = 1.0 / (1.0 + np.exp(-z))
    expected = -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
    assert LOSSES["bce"].value(z, p, y) == pytest.approx(expected, rel=1e-13)


def test_cross_entropy_closed_forms():
    ce = LOSSES["cross_entropy"]
    z = np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]])
    y = np.array([[0.0, 0.0, 1.0], [0.0, 1.0, 0.0]])
    first = math.log(math.e + math.e**2 + math.e**3) - 3.0
    assert ce.value(z, _soft(z), y) == pytest.approx((first + math.log(3.0)) / 2, rel=1e-14)


def test_cross_entropy_matches_probability_form():
    rng = np.random.default_rng(1)
    z = rng.normal(0.0, 2.0, (40, 4))
    y = np.eye(4)[rng.integers(0, 4, 40)]
    p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    expected = -np.mean(np.sum(y * np.log(p), axis=1))
    assert LOSSES["cross_entropy"].value(z, p, y) == pytest.approx(expected, rel=1e-13)


@pytest.mark.parametrize("n_bce", [30, 400])
def test_values_match_torch(n_bce):
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    rng = np.random.default_rng(2)
    z1 = rng.normal(0, 4, (n_bce, 1))
    y1 = rng.integers(0, 2, (n_bce, 1)).astype(float)
    z3 = rng.normal(0, 4, (30, 3))
    y3 = np.eye(3)[rng.integers(0, 3, 30)]
    a2, y2 = rng.normal(size=(30, 2)), rng.normal(size=(30, 2))
    t = lambda v: torch.tensor(v, dtype=torch.float64)  # noqa: E731
    assert LOSSES["bce"].value(z1, _sig(z1), y1) == pytest.approx(F.binary_cross_entropy_with_logits(t(z1), t(y1)).item(), rel=1e-13)
    assert LOSSES["cross_entropy"].value(z3, _soft(z3), y3) == pytest.approx(F.cross_entropy(t(z3), t(y3)).item(), rel=1e-13)
    assert LOSSES["mse"].value(a2, a2, y2) == pytest.approx(F.mse_loss(t(a2), t(y2)).item(), rel=1e-13)


# -- stability -------------------------------------------------------------------
def test_bce_is_stable_for_huge_logits():
    z = np.array([[1000.0], [1000.0], [-1000.0], [-1000.0]])
    y = np.array([[1.0], [0.0], [1.0], [0.0]])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        a = _sig(z)
        per_sample = [LOSSES["bce"].value(z[i : i + 1], a[i : i + 1], y[i : i + 1]) for i in range(4)]
        mean = LOSSES["bce"].value(z, a, y)
        # a data set (over 250 rows) takes the other formula
        assert LOSSES["bce"].value(np.tile(z, (100, 1)), np.tile(a, (100, 1)), np.tile(y, (100, 1))) == 500.0
        grad_a = LOSSES["bce"].dL_da(a, y)
        grad_z = LOSSES["bce"].dL_dz(z, a, y)
    assert per_sample == [0.0, 1000.0, 1000.0, 0.0]
    assert mean == 500.0
    assert np.isfinite(grad_a).all()
    np.testing.assert_array_equal(grad_z, [[0.0], [0.25], [-0.25], [0.0]])


def test_cross_entropy_is_stable_for_huge_logits():
    z = np.array([[1000.0, -1000.0, 0.0], [1000.0, -1000.0, 0.0], [-1000.0, -1000.0, -1000.0]])
    y = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        a = _soft(z)
        value = LOSSES["cross_entropy"].value(z, a, y)
        grad_a = LOSSES["cross_entropy"].dL_da(a, y)
        grad_z = LOSSES["cross_entropy"].dL_dz(z, a, y)
    assert value == pytest.approx((0.0 + 2000.0 + math.log(3.0)) / 3, rel=1e-15)
    assert np.isfinite(grad_a).all()
    np.testing.assert_allclose(grad_z, (a - y) / 3, rtol=0, atol=0)


def test_mse_with_huge_outputs_is_finite():
    a = np.array([[1000.0], [-1000.0]])
    y = np.array([[0.0], [0.0]])
    assert LOSSES["mse"].value(a, a, y) == 1e6


# -- gradients with respect to ŷ and z --------------------------------------------
def test_mse_dL_da():
    a = np.array([[0.5, 1.0], [2.0, -1.0]])
    y = np.array([[0.0, 1.0], [1.0, 1.0]])
    # ∂/∂ŷ of (1/(N·k)) Σ (ŷ − y)² = 2(ŷ − y)/(N·k)
    np.testing.assert_allclose(LOSSES["mse"].dL_da(a, y), [[0.25, 0.0], [0.5, -1.0]], rtol=1e-15)


def test_bce_dL_da_and_dL_dz():
    z = np.array([[0.3], [-1.2], [2.0]])
    a = _sig(z)
    y = np.array([[1.0], [0.0], [0.0]])
    n = 3
    expected_da = (-(y / a) + (1 - y) / (1 - a)) / n
    np.testing.assert_allclose(LOSSES["bce"].dL_da(a, y), expected_da, rtol=1e-13)
    np.testing.assert_allclose(LOSSES["bce"].dL_dz(z, a, y), (a - y) / n, rtol=1e-15)
    # chain rule: ∂L/∂z = ∂L/∂ŷ · σ'(z)
    np.testing.assert_allclose(expected_da * a * (1 - a), (a - y) / n, rtol=1e-12)


def test_cross_entropy_dL_da_and_dL_dz():
    z = np.array([[0.3, -1.2, 2.0], [1.0, 1.0, 1.0]])
    a = _soft(z)
    y = np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]])
    np.testing.assert_allclose(LOSSES["cross_entropy"].dL_da(a, y), -y / a / 2, rtol=1e-15)
    np.testing.assert_allclose(LOSSES["cross_entropy"].dL_dz(z, a, y), (a - y) / 2, rtol=1e-15)
    # and that is what the softmax Jacobian makes of ∂L/∂ŷ
    back = get_activation("softmax").backward(z, a, -y / a / 2)
    np.testing.assert_allclose(back, (a - y) / 2, rtol=1e-12, atol=1e-16)


@pytest.mark.parametrize("loss", ["bce", "cross_entropy"])
def test_fused_gradient_is_the_derivative_of_the_value(loss):
    rng = np.random.default_rng(3)
    k = 1 if loss == "bce" else 3
    z = rng.normal(0, 2, (5, k))
    y = rng.integers(0, 2, (5, 1)).astype(float) if k == 1 else np.eye(3)[rng.integers(0, 3, 5)]
    act = _sig if k == 1 else _soft
    L = LOSSES[loss]
    numeric = np.zeros_like(z)
    for idx in np.ndindex(z.shape):
        zp, zm = z.copy(), z.copy()
        zp[idx] += 1e-6
        zm[idx] -= 1e-6
        numeric[idx] = (L.value(zp, act(zp), y) - L.value(zm, act(zm), y)) / 2e-6
    np.testing.assert_allclose(L.dL_dz(z, act(z), y), numeric, rtol=1e-7, atol=1e-10)


# -- pairings ------------------------------------------------------------------------
@pytest.mark.parametrize(
    "loss,out,units",
    [("bce", "sigmoid", 1), ("cross_entropy", "softmax", 3), ("cross_entropy", "softmax", 2),
     ("mse", "linear", 1), ("mse", "sigmoid", 2), ("mse", "softmax", 3), ("mse", "tanh", 1)],
)
def test_valid_pairings(loss, out, units):
    check_pairing(loss, out, units)


@pytest.mark.parametrize(
    "loss,out,units,needle",
    [("bce", "softmax", 1, "sigmoid"), ("bce", "sigmoid", 2, "one sigmoid output unit"),
     ("bce", "linear", 1, "sigmoid"), ("cross_entropy", "sigmoid", 1, "softmax"),
     ("cross_entropy", "linear", 3, "softmax")],
)
def test_invalid_pairings(loss, out, units, needle):
    with pytest.raises(ValueError, match=needle):
        check_pairing(loss, out, units)
