"""Numbers as the page writes them: "−0.03518", "(−0.8871)", "1.000", "2.5e-5".

A number on the page is the engine's value rounded; an equation the page
writes out (``a · b = c``) should check out as written: redoing the arithmetic
on the numbers as displayed gives the displayed result, to within half a unit
of its last digit."""

from __future__ import annotations

import math


def value(text: str) -> float:
    """The number a displayed text stands for."""
    return float(text.strip().strip("()").replace("−", "-").replace("\u2009", ""))


def half_unit(text: str) -> float:
    """Half a unit of the last digit written: the rounding a reader must allow for."""
    t = text.strip().strip("()").replace("−", "-").lstrip("-")
    mantissa, _, exponent = t.partition("e")
    decimals = len(mantissa.split(".")[1]) if "." in mantissa else 0
    return 0.5 * 10.0 ** (-decimals) * 10.0 ** (int(exponent) if exponent else 0)


def agrees(computed: float, text: str) -> bool:
    """Does `computed` (arithmetic on displayed numbers) round to the displayed `text`?"""
    return math.isfinite(computed) and abs(computed - value(text)) <= half_unit(text) * (1 + 1e-9) + 1e-15
