"""The frame encoder's number formats, against plain references.

``pack`` must give back, decoded as the page decodes it (base64, then
little-endian floats of the stated width, row-major), exactly the array's
float32 rounding, or the exact float64 values when a value lies outside
float32's normal range; the stacked quantiser exactly what quantising each
map on its own by the documented formula gives.
"""

from __future__ import annotations

import base64
import json

import numpy as np
import pytest

from app.frames import encode, pack, quantise, quantise_stack


def _six_digits(v: float) -> float | None:
    return float(f"{v:.6g}") if np.isfinite(v) else None


@pytest.mark.parametrize("shape", [(7,), (3, 5), (128, 128), (1, 1)])
def test_pack_is_float32_of_the_values_in_their_shape(shape, api):
    rng = np.random.default_rng(11)
    a = rng.standard_normal(shape) * 10.0 ** rng.integers(-30, 30, shape)
    packed = pack(a)
    assert packed["dtype"] == "f4" and packed["shape"] == list(shape)
    got = api.unpack(packed)
    assert got.dtype == np.dtype("<f4")
    assert np.array_equal(got, a.astype(np.float32))  # the nearest float32 of each value
    np.testing.assert_allclose(got, a, rtol=2 ** -24)  # so 7 significant digits
    json.loads(encode({"W": packed}))  # plain JSON text


@pytest.mark.parametrize("outside", [1e39, -3.5e38, 1e-39, -1e-300, 5e-324])
def test_pack_keeps_a_matrix_with_a_value_outside_float32_exact(outside, api):
    a = np.array([[0.25, -1.5], [outside, 0.0]])
    packed = pack(a)
    assert packed["dtype"] == "f8"
    assert np.array_equal(api.unpack(packed), a)


def test_pack_carries_zeros_and_float32_extremes_in_float32(api):
    tiny, huge = float(np.finfo(np.float32).tiny), float(np.finfo(np.float32).max)
    a = np.array([0.0, -0.0, tiny, -huge, 1.0])
    packed = pack(a)
    assert packed["dtype"] == "f4"
    assert np.array_equal(api.unpack(packed), a.astype(np.float32))


def test_pack_keeps_non_finite_values_out_of_the_json(api):
    a = np.array([[np.nan, np.inf], [-np.inf, 2.0]])
    packed = pack(a)
    text = encode({"W": packed})  # allow_nan=False: would raise on a bare NaN
    got = api.unpack(json.loads(text)["W"])
    assert np.isnan(got[0, 0]) and got[0, 1] == np.inf and got[1, 0] == -np.inf and got[1, 1] == 2.0


@pytest.mark.parametrize("fixed", [None, (-1.0, 1.0)])
def test_quantise_stack_equals_one_map_at_a_time(fixed):
    rng = np.random.default_rng(3)
    stack = rng.standard_normal((5, 24, 24)) * np.array([1, 1e-3, 50, 0, 1])[:, None, None]
    stack[4, 3, 3] = np.nan  # a diverged value: drawn as 0
    lo, hi = fixed or (None, None)
    maps = quantise_stack(stack, lo, hi)
    assert len(maps) == 5
    for m, values in zip(maps, stack, strict=True):
        v = np.nan_to_num(values.ravel(), nan=0.0)
        a, z = (v.min(), v.max()) if fixed is None else fixed
        if z > a:
            expected = np.clip(np.round((v - a) * (255.0 / (z - a))), 0, 255).astype(np.uint8)
        else:
            expected = np.zeros(v.size, np.uint8)
        assert np.array_equal(np.frombuffer(base64.b64decode(m["data"]), np.uint8), expected)
        assert m["lo"] == _six_digits(a) and m["hi"] == _six_digits(a if z <= a else z)
    # a single map goes the same way
    assert quantise(stack[2], lo, hi) == maps[2]


@pytest.mark.parametrize(("hidden", "side"), [([4, 2], 24), ([24], 24), ([32, 8], 18), ([64], 9), ([128] * 3, 8)])
def test_a_frames_neuron_maps_shrink_with_wide_layers_and_hold_the_neurons_activations(hidden, side):
    """A wide layer's neurons are a few pixels tall on the diagram: 128 maps of
    24 × 24 made a megabyte of every 10 × 128 frame. Each map is still its
    neuron's activation over the plane (tanh: the fixed range −1…1)."""
    from app.frames import frame_message
    from engine import Trainer

    t = Trainer({"hidden_layers": hidden})
    t.step(3)
    frame = frame_message(t)
    assert frame["neurons"]["resolution"] == side
    # the reference: the plain forward pass at that side, every layer kept
    x1, x2 = np.meshgrid(np.linspace(-6, 6, side), np.linspace(-6, 6, side))
    a = np.column_stack([x1.ravel(), x2.ravel()])
    for layer, maps in zip(t.network.layers, frame["neurons"]["maps"], strict=True):
        a = layer.activation.forward(a @ layer.W.T + layer.b)
        expected = np.clip(np.round((a.T - (-1.0)) * (255.0 / 2.0)), 0, 255).astype(np.uint8) \
            if layer.activation.name == "tanh" else None
        for j, m in enumerate(maps):
            got = np.frombuffer(base64.b64decode(m["data"]), np.uint8)
            assert got.size == side * side
            if expected is not None:
                assert np.abs(got.astype(int) - expected[j]).max() <= 1  # rounding at a half
    # the output map is the whole network's output on the 50 × 50 grid
    out = frame["output"]
    x1, x2 = np.meshgrid(np.linspace(-6, 6, 50), np.linspace(-6, 6, 50))
    p = t.network.predict(np.column_stack([x1.ravel(), x2.ravel()]))[:, 0]
    got = np.frombuffer(base64.b64decode(out["maps"][0]["data"]), np.uint8)
    assert np.abs(got.astype(int) - np.round(p * 255)).max() <= 1  # sigmoid: the fixed range 0…1
