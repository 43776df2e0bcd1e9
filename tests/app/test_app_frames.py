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
