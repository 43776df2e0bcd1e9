"""Every activation: its values, its derivative and its backward pass."""

from __future__ import annotations

import numpy as np
import pytest

from engine import ACTIVATIONS, get_activation
from engine.activations import HIDDEN_ACTIVATIONS, OUTPUT_ACTIVATIONS

# z away from 0, where ReLU and leaky ReLU have their kink
Z = np.array([[-3.0, -1.25, -0.4, 0.3, 0.9, 2.5], [1.7, -0.05, 0.07, -2.2, 4.0, -6.0]])


def test_catalogue():
    assert set(ACTIVATIONS) == {"sigmoid", "tanh", "relu", "leaky_relu", "linear", "softmax"}
    assert set(HIDDEN_ACTIVATIONS) == {"sigmoid", "tanh", "relu", "leaky_relu", "linear"}
    assert "softmax" in OUTPUT_ACTIVATIONS and "softmax" not in HIDDEN_ACTIVATIONS
    for name, act in ACTIVATIONS.items():
        assert act.name == name
        assert act.formula
        assert act.elementwise == (name != "softmax")


def test_unknown_activation_is_a_value_error():
    with pytest.raises(ValueError, match="unknown activation 'swish'"):
        get_activation("swish")


@pytest.mark.parametrize(
    "name,expected",
    [
        ("sigmoid", lambda z: 1.0 / (1.0 + np.exp(-z))),
        ("tanh", lambda z: (np.exp(z) - np.exp(-z)) / (np.exp(z) + np.exp(-z))),
        ("relu", lambda z: np.where(z > 0, z, 0.0)),
        ("leaky_relu", lambda z: np.where(z > 0, z, 0.01 * z)),
        ("linear", lambda z: z),
        ("softmax", lambda z: np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)),
    ],
)
def test_forward_matches_formula(name, expected):
    act = get_activation(name)
    a = act.forward(Z.copy())
    np.testing.assert_allclose(a, expected(Z), rtol=1e-14, atol=1e-16)
    assert a.shape == Z.shape


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "relu", "leaky_relu", "linear", "softmax"])
def test_forward_does_not_modify_its_input(name):
    z = Z.copy()
    get_activation(name).forward(z)
    assert np.array_equal(z, Z)


def test_linear_returns_a_copy():
    z = Z.copy()
    a = get_activation("linear").forward(z)
    a[0, 0] = 99.0
    assert z[0, 0] == Z[0, 0]


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "relu", "leaky_relu", "linear"])
def test_derivative_matches_central_difference(name):
    act = get_activation(name)
    eps = 1e-6
    numeric = (act.forward(Z + eps) - act.forward(Z - eps)) / (2 * eps)
    analytic = act.derivative(Z, act.forward(Z))
    np.testing.assert_allclose(analytic, numeric, rtol=1e-8, atol=1e-9)


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "relu", "leaky_relu", "linear", "softmax"])
def test_backward_is_the_jacobian_vector_product(name):
    """∂L/∂z for L = Σ g ⊙ f(z), against central differences of L."""
    act = get_activation(name)
    rng = np.random.default_rng(0)
    g = rng.normal(size=Z.shape)
    a = act.forward(Z)
    analytic = act.backward(Z, a, g)
    numeric = np.zeros_like(Z)
    eps = 1e-6
    for idx in np.ndindex(Z.shape):
        zp, zm = Z.copy(), Z.copy()
        zp[idx] += eps
        zm[idx] -= eps
        numeric[idx] = (np.sum(g * act.forward(zp)) - np.sum(g * act.forward(zm))) / (2 * eps)
    np.testing.assert_allclose(analytic, numeric, rtol=1e-7, atol=1e-9)


def test_softmax_backward_matches_full_jacobian():
    act = get_activation("softmax")
    z = np.array([[0.2, -1.0, 3.0, 0.5]])
    a = act.forward(z)[0]
    jac = np.diag(a) - np.outer(a, a)  # ∂a_i/∂z_j
    g = np.array([[1.0, -2.0, 0.5, 0.25]])
    np.testing.assert_allclose(act.backward(z, a[None, :], g)[0], jac.T @ g[0], rtol=1e-14)
    # the "derivative" is the diagonal of that Jacobian
    np.testing.assert_allclose(act.derivative(z, a[None, :])[0], np.diag(jac), rtol=1e-14)


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "relu", "leaky_relu", "linear", "softmax"])
def test_matches_torch(name):
    torch = pytest.importorskip("torch")
    z = torch.tensor(Z, dtype=torch.float64, requires_grad=True)
    fn = {
        "sigmoid": torch.sigmoid,
        "tanh": torch.tanh,
        "relu": torch.relu,
        "leaky_relu": lambda t: torch.nn.functional.leaky_relu(t, 0.01),
        "linear": lambda t: t * 1.0,
        "softmax": lambda t: torch.softmax(t, dim=1),
    }[name]
    a = fn(z)
    g = np.random.default_rng(1).normal(size=Z.shape)
    a.backward(torch.tensor(g))
    act = get_activation(name)
    ours = act.forward(Z)
    np.testing.assert_allclose(ours, a.detach().numpy(), rtol=1e-14, atol=1e-300)
    np.testing.assert_allclose(act.backward(Z, ours, g), z.grad.numpy(), rtol=1e-12, atol=1e-16)


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "relu", "leaky_relu", "linear", "softmax"])
def test_extreme_inputs_stay_finite(name):
    z = np.array([[-1000.0, 1000.0, -745.0, 710.0, 0.0]])
    act = get_activation(name)
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        a = act.forward(z)
        d = act.derivative(z, a)
        back = act.backward(z, a, np.ones_like(z))
    assert np.isfinite(a).all() and np.isfinite(d).all() and np.isfinite(back).all()


def test_extreme_values():
    z = np.array([[-1000.0, 1000.0]])
    assert get_activation("sigmoid").forward(z).tolist() == [[0.0, 1.0]]
    assert get_activation("tanh").forward(z).tolist() == [[-1.0, 1.0]]
    assert get_activation("relu").forward(z).tolist() == [[0.0, 1000.0]]
    assert get_activation("leaky_relu").forward(z).tolist() == [[-10.0, 1000.0]]
    assert get_activation("softmax").forward(z).tolist() == [[0.0, 1.0]]


def test_sigmoid_keeps_its_relative_precision_in_the_negative_tail():
    """σ(z) for z ≪ 0 is a small but perfectly representable number
    (σ(−30) ≈ 9.36e−14, σ(−100) ≈ 3.7e−44); 1/(1 + e^(−z)) computes it to full
    relative precision there, as torch.sigmoid and scipy's expit do.  It must not
    lose digits, nor underflow to exactly 0 long before float64 has to."""
    z = np.array([[-10.0, -20.0, -30.0, -40.0, -100.0, -700.0]])
    expected = 1.0 / (1.0 + np.exp(-z))  # exact to a few ulp for z < 0
    got = get_activation("sigmoid").forward(z)
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=0)
