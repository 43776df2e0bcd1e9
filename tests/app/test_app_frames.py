"""The frame encoder's number formats, against plain references.

``_round_array`` (6 significant digits, vectorised) must give exactly what
formatting each number as ``"%.6g"`` and parsing it back gives; the stacked
quantiser exactly what quantising each map on its own by the documented
formula gives.
"""

from __future__ import annotations

import base64

import numpy as np
import pytest

from app.frames import _round_array, _rounded_all, quantise, quantise_stack


def _six_digits(v: float) -> float | None:
    return float(f"{v:.6g}") if np.isfinite(v) else None


def test_round_array_equals_formatting_each_number():
    rng = np.random.default_rng(7)
    scales = 10.0 ** rng.integers(-40, 40, 50_000)
    values = np.concatenate([
        rng.standard_normal(50_000) * scales,
        [0.0, -0.0, 1.0, -1.0, 1000.0, 0.001, 999999.5, 9.999995, 123456.5, 0.1 + 0.2, 5e-324, 1e-300,
         1.7976931348623157e308, -1e308, np.inf, -np.inf, np.nan],
        np.nextafter(10.0 ** np.arange(-20, 21), 0),  # just under powers of ten
    ])
    got = _round_array(values)
    assert got == [_six_digits(v) for v in values.tolist()]


def test_rounded_all_keeps_shapes_and_gaps():
    W, b = np.array([[1.23456789, -2.0], [3.14159265, 1e-9]]), np.array([0.5, 1 / 3])
    assert _rounded_all([W, b, None]) == [[[1.23457, -2.0], [3.14159, 1e-9]], [0.5, 0.333333], None]
    assert _rounded_all([None]) == [None]


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
