"""Optimizers behind one small interface: ``update(params, grads)``.

``params`` and ``grads`` are flat float64 vectors (the network keeps all of
its parameters in one buffer); ``update`` changes ``params`` in place.  Update
rules, with η the learning rate and g the mini-batch gradient (API.md):

* ``sgd``:      W ← W − η g
* ``momentum``: v ← μ v + g,  W ← W − η v   (heavy ball, v starts at 0)
* ``adam``:     m ← β1 m + (1−β1) g,  s ← β2 s + (1−β2) g²,
                W ← W − η m̂ / (√ŝ + ε) with m̂ = m/(1−β1ᵗ), ŝ = s/(1−β2ᵗ)
"""

from __future__ import annotations

from typing import Any

import numpy as np

Array = np.ndarray


class SGD:
    name = "sgd"

    def __init__(self, size: int, learning_rate: float, **_: Any) -> None:
        self.learning_rate = learning_rate
        self.delta = np.zeros(size)  # the last step taken: params_new = params_old − delta

    def update(self, params: Array, grads: Array) -> None:
        np.multiply(grads, self.learning_rate, out=self.delta)
        np.subtract(params, self.delta, out=params)

    def state(self) -> dict[str, Any]:
        return {}

    def load_state(self, state: dict[str, Any]) -> None:
        pass


class Momentum:
    name = "momentum"

    def __init__(self, size: int, learning_rate: float, momentum: float = 0.9, **_: Any) -> None:
        self.learning_rate = learning_rate
        self.momentum = momentum
        self.velocity = np.zeros(size)
        self.delta = np.zeros(size)

    def update(self, params: Array, grads: Array) -> None:
        v = self.velocity
        np.multiply(v, self.momentum, out=v)
        np.add(v, grads, out=v)
        np.multiply(v, self.learning_rate, out=self.delta)
        np.subtract(params, self.delta, out=params)

    def state(self) -> dict[str, Any]:
        return {"velocity": self.velocity.tolist()}

    def load_state(self, state: dict[str, Any]) -> None:
        self.velocity[...] = state["velocity"]


class Adam:
    name = "adam"
    beta1 = 0.9
    beta2 = 0.999
    epsilon = 1e-8

    def __init__(self, size: int, learning_rate: float, **_: Any) -> None:
        self.learning_rate = learning_rate
        self.m = np.zeros(size)
        self.s = np.zeros(size)
        self.t = 0
        self.delta = np.zeros(size)

    def update(self, params: Array, grads: Array) -> None:
        b1, b2 = self.beta1, self.beta2
        self.t += 1
        m, s, tmp = self.m, self.s, self.delta
        # ufuncs with out= rather than in-place operators: the same arithmetic, less overhead
        np.multiply(m, b1, out=m)
        np.multiply(grads, 1.0 - b1, out=tmp)
        np.add(m, tmp, out=m)
        np.multiply(s, b2, out=s)
        np.multiply(grads, grads, out=tmp)
        np.multiply(tmp, 1.0 - b2, out=tmp)
        np.add(s, tmp, out=s)
        # η m̂ / (√ŝ + ε), with the bias corrections folded into scalars.
        np.sqrt(s, out=tmp)
        np.multiply(tmp, 1.0 / np.sqrt(1.0 - b2**self.t), out=tmp)
        np.add(tmp, self.epsilon, out=tmp)
        np.divide(m, tmp, out=tmp)
        np.multiply(tmp, self.learning_rate / (1.0 - b1**self.t), out=tmp)
        np.subtract(params, tmp, out=params)

    def state(self) -> dict[str, Any]:
        return {"m": self.m.tolist(), "s": self.s.tolist(), "t": self.t}

    def load_state(self, state: dict[str, Any]) -> None:
        self.m[...] = state["m"]
        self.s[...] = state["s"]
        self.t = int(state["t"])


OPTIMIZERS: dict[str, type] = {"sgd": SGD, "momentum": Momentum, "adam": Adam}


def make_optimizer(name: str, size: int, learning_rate: float, momentum: float = 0.9):
    try:
        cls = OPTIMIZERS[name]
    except KeyError:
        raise ValueError(f"unknown optimizer {name!r}; choose one of {', '.join(OPTIMIZERS)}") from None
    return cls(size, learning_rate, momentum=momentum)
