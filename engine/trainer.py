"""The trainer: data, a network, an optimizer, and the clock of updates.

``Trainer(config)`` builds everything from one configuration (see
``config.py``) and one seed.  ``step(n)`` runs ``n`` mini-batch updates; the
last update's values stay readable on the layers; ``history`` records every
update; ``trace(x, y)`` runs a pass with no update; ``grids(r)`` computes
what a frame draws; ``to_state()``/``from_state()`` save and resume
bit-for-bit.
"""

from __future__ import annotations

import math
import time
from typing import Any

import numpy as np

from . import data as datamod
from .activations import PEAK_SLOPE
from .config import ConfigError, hidden_activations, output_units, resolve_config, structural_change, task_of
from .gradcheck import numeric_gradient, relative_error
from .history import History
from .init import initialize, xavier_norm
from .insights import Diagnostician, Observation
from .layers import ones_vector
from .network import Network, build_dense
from .optimizers import make_optimizer

Array = np.ndarray
STATE_VERSION = 1


# The largest momentum velocity or Adam first moment an imported state may hold.
MAX_MOMENT = 1e200


def _scaled_norm(g: Array) -> float:
    """‖g‖ where the sum of squares overflows (entries past 1e154): scaled by the
    largest entry first, so a finite gradient gets its finite norm."""
    m = float(np.max(np.abs(g)))
    if not math.isfinite(m) or m == 0.0:
        return m
    r = g / m
    return m * math.sqrt(float(r.dot(r)))


def _finite(v: float) -> float | None:
    return v if math.isfinite(v) else None


def plain(a: Array | None) -> list | None:
    """An array as nested lists, with ``None`` for any non-finite entry."""
    if a is None:
        return None
    if np.isfinite(a).all():
        return a.tolist()
    return _nan_to_none(a.tolist())


def _nan_to_none(x):
    if isinstance(x, list):
        return [_nan_to_none(v) for v in x]
    return x if math.isfinite(x) else None


def _array(value: Any, name: str, size: int | None = None, allow_missing: bool = False) -> Array:
    """A float64 array from a document; ``None`` entries become NaN only where
    allowed (gradients of a diverged update); ``size`` checks the length."""
    if allow_missing and isinstance(value, list):
        value = [math.nan if v is None else v for v in value]
    a = np.asarray(value, dtype=np.float64)
    if size is not None and a.shape != (size,):
        raise ValueError(f"{name}: expected {size} numbers, got shape {a.shape}")
    if not allow_missing and not np.isfinite(a).all():
        raise ValueError(f"{name}: every entry must be a finite number")
    return a


def _has_bool(value: Any) -> bool:
    if isinstance(value, list):
        return any(_has_bool(v) for v in value)
    return isinstance(value, bool)


# An imported document's raw points: generated data spreads a little beyond the
# ±6 plane (noise), but a coordinate of 1e200 would overflow the features (x1²).
MAX_RAW = 100.0


def _count(value: Any, name: str, maximum: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0 or (maximum is not None and value > maximum):
        limit = f" and at most {maximum}" if maximum is not None else ""
        raise ValueError(f"{name} must be a whole number ≥ 0{limit}")
    return value


class Trainer:
    """One network learning one data set, step by step."""

    def __init__(self, config: dict[str, Any] | None = None, *, resolved: bool = False) -> None:
        self.config = dict(config) if resolved else resolve_config(config)
        self.reset()

    # -- building ----------------------------------------------------------
    def reset(self, seed: int | None = None) -> None:
        """Return exactly to the initial state of ``seed`` (default: the
        configured seed): same data, same weights, same shuffling."""
        if seed is not None:
            self.config = resolve_config({"seed": seed}, self.config)
        cfg = self.config
        seq = np.random.SeedSequence(cfg["seed"])
        data_seq, init_seq, shuffle_seq = seq.spawn(3)
        self._build_data(np.random.default_rng(data_seq))
        self._build_network()
        initialize(self.network, cfg["init"], np.random.default_rng(init_seq))
        self.shuffle_rng = np.random.default_rng(shuffle_seq)
        self.optimizer = make_optimizer(cfg["optimizer"], self.network.params.size, cfg["learning_rate"], cfg["momentum"])
        self.step_count = 0
        self.epochs_done = 0
        self.position = self.n_train  # forces a fresh shuffle at the first update
        self.order = np.arange(self.n_train)
        self.status = "ok"
        self.message = ""
        self._weights_set_at = -1  # the step at which set_weights last replaced the weights
        self._diverged_lr: float | None = None  # the learning rate training diverged with (None: weights that were set)
        self.history = History(len(self.network.layers))
        self.insights = Diagnostician()
        self._version = 0  # bumps whenever the weights change
        self._eval_key: tuple[int, int] | None = None
        self._eval: dict[str, Any] = {}
        self._grid_cache: dict[int, Array] = {}
        self.evaluate()

    def _build_data(self, rng: np.random.Generator) -> None:
        cfg = self.config
        self.task, self.inputs, self.classes = task_of(cfg)
        if cfg["dataset"] == "custom":
            raw = np.asarray(cfg["points"]["x"], dtype=np.float64)
            labels = np.asarray(cfg["points"]["y"], dtype=np.float64)
        else:
            info = datamod.DATASETS[cfg["dataset"]]
            raw, labels = info.generate(rng, cfg["n_samples"], cfg["noise"])
        train, test = datamod.split(rng, raw.shape[0], cfg["train_fraction"])
        self.n_outputs = output_units(self.task, self.classes, cfg["loss"])
        self.raw_train, self.raw_test = raw[train], raw[test]
        self.labels_train, self.labels_test = labels[train], labels[test]
        self.x_train = datamod.transform(self.raw_train, cfg["features"])
        self.x_test = datamod.transform(self.raw_test, cfg["features"])
        self.y_train = datamod.targets(self.labels_train, self.task, self.n_outputs)
        self.y_test = datamod.targets(self.labels_test, self.task, self.n_outputs)
        self.n_train = self.x_train.shape[0]

    def _build_network(self) -> None:
        cfg = self.config
        hidden = cfg["hidden_layers"]
        acts = hidden_activations(cfg)
        sizes = [len(cfg["features"]), *hidden, self.n_outputs]
        self.network: Network = build_dense(sizes, [*acts, cfg["output_activation"]], cfg["loss"], cfg["l1"], cfg["l2"])

    def update_config(self, partial: dict[str, Any]) -> bool:
        """Apply a partial configuration.  Hyper-parameters apply live; a
        structural change rebuilds and resets.  Returns whether it reset."""
        new = resolve_config(partial, self.config)
        old, self.config = self.config, new
        if structural_change(old, new):
            self.reset()
            return True
        net = self.network
        net.l1, net.l2 = new["l1"], new["l2"]
        if new["optimizer"] != old["optimizer"]:
            delta = self.optimizer.delta
            self.optimizer = make_optimizer(new["optimizer"], net.params.size, new["learning_rate"], new["momentum"])
            self.optimizer.delta[...] = delta
        self.optimizer.learning_rate = new["learning_rate"]
        if self.status == "diverged" and new["learning_rate"] != old["learning_rate"] and self._weights_set_at != self.step_count:
            self._say_diverged()
        if hasattr(self.optimizer, "momentum"):
            self.optimizer.momentum = new["momentum"]
        if new["l1"] != old["l1"] or new["l2"] != old["l2"]:
            self._version += 1  # the penalty, hence the reported loss, changed
        return False

    # -- training ----------------------------------------------------------
    @property
    def epoch(self) -> float:
        return self.epochs_done + min(self.position, self.n_train) / self.n_train if self.step_count else 0.0

    def step(self, n: int = 1, max_seconds: float | None = None) -> int:
        """Run up to ``n`` mini-batch updates; return how many ran.

        Stops early when training diverges (non-finite loss or gradient: the
        offending update is *not* applied, so the weights stay finite) or when
        ``max_seconds`` have passed.
        """
        if self.status == "diverged" or n <= 0:
            return 0
        batch = self.config["batch_size"]
        n_train = self.n_train
        deadline = None if max_seconds is None else time.perf_counter() + max_seconds
        with np.errstate(all="ignore"):  # overflow is detected below, not warned about
            done = self._run(n, batch, n_train, deadline)
        if done:
            self._version += 1
        return done

    def _run(self, n: int, batch: int, n_train: int, deadline: float | None) -> int:
        net, opt, hist = self.network, self.optimizer, self.history
        # the hot loop: what it calls, looked up once
        forward_backward, update, steps = net.forward_backward, opt.update, hist.steps
        params, grads, out, weight_grads = net.params, net.grads, net.layers[-1], net.weight_grads
        ones = ones_vector
        done = 0
        turned = -1, 0  # (update, epochs before) where this run began a new epoch
        xs = xs1 = ys = None
        if self.position < n_train:
            xs, xs1, ys = self._shuffled
        while done < n:
            start = self.position
            if start >= n_train:
                turned = done, self.epochs_done  # a refused update gives its batch back (below)
                if self.step_count:
                    self.epochs_done += 1
                self.order = self.shuffle_rng.permutation(n_train)
                xs, xs1, ys = self._shuffled = self._in_order()
                start = 0
            stop = min(start + batch, n_train)
            self.position = stop
            step = self.step_count + 1
            # The loss's value is needed only for a step the history keeps (a long
            # history keeps every k-th); divergence shows in the gradients and outputs.
            want = steps.wants(step)
            loss = forward_backward(xs[start:stop], ys[start:stop], want, xs1[start:stop])
            # (without the loss: the output pre-activations' sum is finite only if all
            # are; a BLAS product with ones sums them at half np.sum's cost)
            finite = math.isfinite(loss) if want else math.isfinite(ones(out.z.size).dot(out.z.ravel()))
            if not (finite and math.isfinite(grads.dot(grads))):
                # the refused update used no batch: the epoch counts the updates made (the order
                # of a new epoch stays drawn; nothing trains on before a reset or new weights)
                self.position = start
                if start == 0 and turned[0] == done:
                    self.position, self.epochs_done = n_train, turned[1]
                self._diverge()
                break
            update(params, grads)
            self.step_count = step
            done += 1
            if want:
                hist.record_step(step, loss, weight_grads)
            if deadline is not None and done % 4 == 0 and time.perf_counter() > deadline:
                break
        return done

    def _in_order(self) -> tuple[Array, Array, Array]:
        """The training set in this epoch's order (``ndarray.take``: the same
        rows as ``x[order]``, at a tenth of the cost on small sets): inputs,
        inputs with a column of ones (the first layer adds its bias in its
        product with them), targets."""
        xs = self.x_train.take(self.order, axis=0)
        xs1 = np.ones((xs.shape[0], xs.shape[1] + 1))
        xs1[:, :-1] = xs
        return xs, xs1, self.y_train.take(self.order, axis=0)

    def _diverge(self) -> None:
        # The update that was not applied stays out of the history, which holds the updates
        # made: its step number is the next one's if training goes on (new weights).
        self.status = "diverged"
        if self._weights_set_at == self.step_count:  # the weights someone set, not the learning rate
            self._diverged_lr = None
            self.message = (
                f"Training diverged at update {self.step_count + 1}: with the weights that were set, the loss or "
                f"its gradient is too large to compute with, so that update was not applied. "
                f"Set smaller weights, or press reset for fresh ones."
            )
            return
        self._diverged_lr = self.config["learning_rate"]
        self._say_diverged()

    def _say_diverged(self) -> None:
        """The divergence message, for the learning rate in force now: changed since (not yet
        reset), the advice to lower it would be stale."""
        lr, now = self._diverged_lr, self.config["learning_rate"]
        head = (f"Training diverged at update {self.step_count + 1}: the loss or its gradient grew too large "
                f"to compute with, so that update was not applied. ")
        if lr is None or now < lr:
            ran = "" if lr is None else f"It ran with η = {lr:g}; "
            tail = f"{ran}the learning rate is now {now:g}: press reset to train again from step 0."
        elif now == lr:
            tail = (f"The learning rate (η = {lr:g}) is probably too large for this network: lower it "
                    f"(try {lr / 10:g}) and press reset.")
        else:
            tail = f"It ran with η = {lr:g}, and the learning rate is now larger ({now:g}): lower it (try {lr / 10:g}) and press reset."
        self.message = head + tail

    # -- measuring ---------------------------------------------------------
    def _measure(self, x: Array, y: Array, labels: Array) -> tuple[float, float | None, list[tuple[Array, Array]]]:
        """Loss (data + penalty), accuracy and every layer's (z, a) on a data set."""
        net = self.network
        passes = []
        a = x
        for layer in net.layers:
            z, a = layer.evaluate(a)
            passes.append((z, a))
        z = passes[-1][0]
        loss = net.loss.value(z, a, y) + net.penalty()
        if self.task != "classification":
            return loss, None, passes
        pred = (a[:, 0] > 0.5) if a.shape[1] == 1 else a.argmax(axis=1)
        return loss, float(np.mean(pred == labels)), passes

    def evaluate(self) -> dict[str, Any]:
        """Loss (data + penalty) and accuracy on the whole train and test
        sets, and per-layer health on the training set; cached until the
        weights change, and recorded in the history."""
        key = (self.step_count, self._version, self.status)  # a refused update changes the status alone
        if self._eval_key != key:
            with np.errstate(all="ignore"):
                tr, acc_tr, passes = self._measure(self.x_train, self.y_train, self.labels_train)
                te, acc_te, _ = self._measure(self.x_test, self.y_test, self.labels_test)
                stats, steps = self._layer_stats(passes)
            insights = self.insights.observe(Observation(
                self.step_count, _finite(tr), _finite(te),
                grad_norms=[s["grad_norm"] for s in stats], update_ratios=[s["update_ratio"] for s in stats],
                update_steps=steps,
                dead=[s["dead"] for s in stats], saturated=[s["saturated"] for s in stats],
                twins=self._twins(), l2=self.config["l2"], diverged=self.status == "diverged",
            ))
            self._eval = {"loss": {"train": _finite(tr), "test": _finite(te)},
                          "accuracy": None if acc_tr is None else {"train": acc_tr, "test": acc_te},
                          "layers": stats, "insights": insights}
            self._eval_key = key
            self.history.record_eval(self.step_count, tr, te, acc_tr, acc_te)
        return self._eval

    def _twins(self) -> bool:
        """Whether every hidden layer of two units or more has identical units (equal rows of W
        and equal biases), as weights that all start equal keep them: then each acts as one unit."""
        wide = [layer for layer in self.network.layers[:-1] if layer.n_out > 1]
        return bool(wide) and all(np.ptp(layer.W, axis=0).max() == 0 and np.ptp(layer.b) == 0 for layer in wide)

    def _layer_stats(self, passes: list[tuple[Array, Array]]) -> tuple[list[dict[str, float | None]], list]:
        """Per weight layer: share of dead ReLU units (zero on every training
        sample), share of saturated sigmoid/tanh units (hidden layers only) (in the flat tails,
        f′(z) below a tenth of its peak, on ≥ 90 % of training samples),
        ‖∂L/∂W‖ and the update ratio ‖ΔW‖/‖W‖ of the last update; and, for the
        insights alone, each update against the larger of ‖W‖ and a
        Glorot-initialised layer's norm (see ``insights``)."""
        net = self.network
        delta = getattr(self.optimizer, "delta", None)
        norms = self.grad_norms()
        out, steps = [], []
        for i, (layer, (z, a)) in enumerate(zip(net.layers, passes, strict=True)):
            name = layer.activation.name
            dead = saturated = None
            if i == len(net.layers) - 1:
                pass  # the output layer: confident outputs are the goal, not a problem
            elif name == "relu":
                dead = float(np.mean(np.all(z <= 0, axis=0)))
            elif name in PEAK_SLOPE:
                # one rule for both: the slope under a tenth of its peak, that is tanh: |a| > 0.949,
                # sigmoid: |a − ½| > 0.474 (σ(z) = (1 + tanh(z/2))/2: the same flatness at z as tanh at z/2)
                flat = layer.activation.derivative(z, a) < 0.1 * PEAK_SLOPE[name]
                saturated = float(np.mean(np.mean(flat, axis=0) >= 0.9))
            ratio = step = None
            # (weights set since the last update: its ΔW is of other weights; over the new ‖W‖ it said
            # 0.0022 where it had said 0.0099, with no update between)
            if delta is not None and self.step_count and self._weights_set_at != self.step_count:
                w = net._weight_slices[i]
                wn = float(np.linalg.norm(net.params[w]))
                dn = float(np.linalg.norm(delta[w]))
                ratio = _finite(dn / wn) if wn > 0 else None
                # the norm of a Glorot-initialised layer: the scale below which weights count as small
                step = _finite(dn / max(wn, xavier_norm(layer.n_out, layer.n_in)))
            out.append({"dead": dead, "saturated": saturated, "grad_norm": norms[i], "update_ratio": ratio})
            steps.append(step)
        return out, steps

    def snapshot(self) -> dict[str, Any]:
        """The API's ``Snapshot``: step, epoch, status, loss, accuracy, layers."""
        ev = self.evaluate()
        snap = {
            "step": self.step_count,
            "epoch": self.epoch,
            "status": self.status,
            "loss": ev["loss"],
            "accuracy": ev["accuracy"],
            "layers": [
                {
                    "activation": layer.activation.name,
                    "W": layer.W.tolist(),
                    "b": layer.b.tolist(),
                    "dW": plain(layer.dW) if layer.has_grad else None,
                    "db": plain(layer.db) if layer.has_grad else None,
                }
                for layer in self.network.layers
            ],
        }
        message = self.message if self.status != "ok" else self.overflow_message(ev["loss"])
        if message:
            snap["message"] = message
        return snap

    @staticmethod
    def overflow_message(loss: dict[str, float | None]) -> str:
        """Why a loss is null while the status is ok ("" when none is)."""
        where = [name for key, name in (("train", "training"), ("test", "test")) if loss[key] is None]
        if not where:
            return ""
        return (f"The loss on the {' and '.join(where)} data is too large to represent with the current weights "
                f"(beyond about 1.8e308), so it is sent as null. Set smaller weights, or press reset for fresh ones.")

    def last_batch_loss(self) -> float | None:
        """The total loss of the last update's mini-batch, at the weights that
        update started from (None before the first update, or when unknown).

        A long history keeps only every k-th step's loss, and the hot loop
        computes no other; this recomputes it from the last pass the layers
        kept, with the penalty of the weights before the update."""
        net, steps = self.network, self.history.steps
        if steps.length and steps.rows[steps.length - 1, 0] == self.step_count + (self.status == "diverged"):
            return _finite(float(steps.rows[steps.length - 1, 1]))  # kept (a diverged update is kept too)
        out = net.layers[-1]
        if not self.step_count or self.status != "ok" or out.z is None or net.y is None \
                or self._weights_set_at == self.step_count:
            return None
        before = net.params + self.optimizer.delta if (net.l1 or net.l2) else None  # the weights it started from
        with np.errstate(all="ignore"):
            return _finite(net.last_loss(before))

    def grad_norms(self) -> list[float | None]:
        """‖∂L/∂W_l‖ of the last update, per layer (None before the first)."""
        if not self.network.layers[-1].has_grad:
            return [None] * len(self.network.layers)
        return [_finite(math.sqrt(v) if v != math.inf else _scaled_norm(g))
                for v, g in zip(self.network.grad_sq_norms().tolist(), self.network.weight_grads, strict=True)]

    # -- one pass, no update ------------------------------------------------
    def trace(self, x, y) -> dict[str, Any]:
        """Forward and backward on ``x`` (``N × n0``, input space) and ``y``
        (``N × n_outputs``, targets as in ``data()``), with no update."""
        try:
            x = np.asarray(x, dtype=np.float64)
            y = np.asarray(y, dtype=np.float64)
        except (TypeError, ValueError):
            raise ConfigError("x", "x and y must be rectangular lists of rows of numbers") from None
        n0 = self.network.layers[0].n_in
        if x.ndim != 2 or x.shape[1] != n0 or x.shape[0] < 1:
            raise ConfigError("x", f"x must be a non-empty list of rows of {n0} numbers (N × {n0})")
        if y.ndim != 2 or y.shape != (x.shape[0], self.n_outputs):
            raise ConfigError("y", f"y must have one row of {self.n_outputs} numbers per row of x "
                                   f"({x.shape[0]} × {self.n_outputs})")
        if not (np.isfinite(x).all() and np.isfinite(y).all()):
            raise ConfigError("x", "x and y must hold finite numbers only")
        self._check_targets(y)
        with np.errstate(all="ignore"):
            tr = self.network.trace(x, y)
            finite = math.isfinite(tr["loss"]) and all(
                np.isfinite(v).all() for layer in tr["layers"] for v in layer.values())
        tr["step"] = self.step_count  # the weights are those after this many updates
        if not finite:
            tr["message"] = ("Some values of this pass are too large to represent (beyond about 1.8e308) and are "
                             "sent as null: the inputs or the weights are too large.")
        return tr

    def _check_targets(self, y: Array) -> None:
        """Targets the loss defines: 0…1 for bce, rows of a distribution (one-hot) for cross-entropy."""
        loss = self.config["loss"]
        outside = np.flatnonzero(((y < 0) | (y > 1)).any(axis=1)) if loss == "bce" else ()
        if len(outside):
            i = int(outside[0])
            raise ConfigError("y", f"y: the bce loss needs targets between 0 and 1 (1 for the class its unit "
                                   f"stands for, 0 for the other); row {i} holds {y[i, 0]:g}")
        if loss == "cross_entropy":
            sums = y.sum(axis=1)
            bad = np.flatnonzero((y < 0).any(axis=1) | (np.abs(sums - 1.0) > 1e-9))
            if bad.size:
                i = int(bad[0])
                raise ConfigError("y", f"y: the cross-entropy loss needs each row to be non-negative and sum to 1 "
                                       f"(one-hot: 1 for the class, 0 elsewhere); row {i} is "
                                       f"[{', '.join(f'{v:g}' for v in y[i])}]")

    def gradient_check(self, x, y, layer: int, param: str, row: int, col: int | None = None,
                       epsilon: float = 1e-6) -> dict[str, Any]:
        """Backpropagated ∂L/∂w of one weight (or bias) on the batch ``(x, y)``
        next to its central finite-difference estimate."""
        tr = self.trace(x, y)  # validates x and y
        net = self.network
        if not 0 <= layer < len(net.layers):
            raise ConfigError("layer", f"layer must be in [0, {len(net.layers) - 1}] (0-based weight layer)")
        target = net.layers[layer]
        if param == "W":
            if col is None:
                raise ConfigError("col", f"col: a weight of layer {layer} needs its column too (W is "
                                         f"{target.n_out} × {target.n_in}: row in [0, {target.n_out - 1}], "
                                         f"col in [0, {target.n_in - 1}])")
            if not (0 <= row < target.n_out and 0 <= col < target.n_in):
                raise ConfigError("row", f"layer {layer}: W is {target.n_out} × {target.n_in}; "
                                         f"row must be in [0, {target.n_out - 1}] and col in [0, {target.n_in - 1}]")
            index: tuple[int, ...] = (row, col)
            analytic = float(tr["layers"][layer]["dW"][row, col])
        elif param == "b":
            if col is not None:
                raise ConfigError("col", f"col: b is a vector (one entry per unit of layer {layer}); "
                                         "leave col out for a bias, or ask for param 'W'")
            if not 0 <= row < target.n_out:
                raise ConfigError("row", f"layer {layer}: b has {target.n_out} entries; row must be in "
                                         f"[0, {target.n_out - 1}]")
            index = (row,)
            analytic = float(tr["layers"][layer]["db"][row])
        else:
            raise ConfigError("param", "param must be 'W' or 'b'")
        with np.errstate(all="ignore"):
            numeric = numeric_gradient(net.copy(), tr["input"], np.asarray(y, dtype=np.float64),
                                       layer, param, index, epsilon)
        return {"analytic": _finite(analytic), "numeric": _finite(numeric),
                "relative_error": _finite(relative_error(analytic, numeric)), "epsilon": epsilon}

    def peek_batch(self) -> dict[str, Any]:
        """The mini-batch the next update will use, without using it up
        (the shuffling generator is left exactly as it was)."""
        batch = self.config["batch_size"]
        if self.position >= self.n_train:
            rng = np.random.Generator(type(self.shuffle_rng.bit_generator)())
            rng.bit_generator.state = self.shuffle_rng.bit_generator.state
            order = rng.permutation(self.n_train)
            start = 0
        else:
            order, start = self.order, self.position
        rows = order[start : min(start + batch, self.n_train)]
        return {"step": self.step_count + 1, "indices": rows.tolist(),
                "x": plain(self.x_train[rows]), "y": plain(self.y_train[rows])}

    def data(self) -> dict[str, Any]:
        """Train and test sets exactly as the network sees them."""
        return {
            "train": {"x": plain(self.x_train), "y": plain(self.y_train)},
            "test": {"x": plain(self.x_test), "y": plain(self.y_test)},
        }

    def set_weights(self, layers: list[dict[str, Any]]) -> None:
        """Replace every layer's W and b (shapes must match exactly). A layer may name its
        ``activation`` too (a snapshot's layer sent back as it is): it must be the layer's own."""
        net = self.network
        if not isinstance(layers, list) or len(layers) != len(net.layers):
            raise ConfigError("layers", f"layers must be a list of {len(net.layers)} objects {{W, b}}")
        new = []
        for i, (given, layer) in enumerate(zip(layers, net.layers, strict=True)):
            named = given.get("activation") if isinstance(given, dict) else None
            if named is not None and named != layer.activation.name:
                raise ConfigError(f"layers[{i}].activation",
                                  f"layers[{i}].activation is {named!r} but this layer's is {layer.activation.name!r}: "
                                  f"PUT weights sets W and b only (change an activation with PATCH {{\"activation\": ...}})")
            try:
                W = np.asarray(given["W"], dtype=np.float64)
                b = np.asarray(given["b"], dtype=np.float64)
            except (KeyError, TypeError, ValueError):
                raise ConfigError(f"layers[{i}]", f"layers[{i}] needs W ({layer.n_out} × {layer.n_in}) "
                                                  f"and b ({layer.n_out}) of numbers") from None
            if W.shape != layer.W.shape:
                raise ConfigError(f"layers[{i}].W", f"layers[{i}].W must be {layer.n_out} × {layer.n_in} "
                                                    f"(got {' × '.join(map(str, W.shape)) or 'a number'})")
            if b.shape != layer.b.shape:
                raise ConfigError(f"layers[{i}].b", f"layers[{i}].b must hold {layer.n_out} numbers")
            if not (np.isfinite(W).all() and np.isfinite(b).all()):
                raise ConfigError(f"layers[{i}]", f"layers[{i}]: weights must be finite numbers")
            new.append((W, b))
        for layer, (W, b) in zip(net.layers, new, strict=True):
            layer.W[...] = W
            layer.b[...] = b
        self._version += 1
        self._weights_set_at = self.step_count
        if self.status == "diverged":
            self.status, self.message = "ok", ""

    # -- what a frame draws ---------------------------------------------------
    def grid_inputs(self, resolution: int) -> Array:
        """The network's input over a ``resolution``-point grid of the input
        plane (``R² × n0`` for two raw inputs, ``R × n0`` for one), x1 along
        columns and x2 along rows, from −6 to 6."""
        cached = self._grid_cache.get(resolution)
        if cached is None:
            axis = np.linspace(-datamod.DOMAIN, datamod.DOMAIN, resolution)
            if self.inputs == 2:
                g1, g2 = np.meshgrid(axis, axis)
                raw = np.column_stack([g1.ravel(), g2.ravel()])
            else:
                raw = axis[:, None]
            cached = self._grid_cache[resolution] = datamod.transform(raw, self.config["features"])
        return cached

    def output_map(self, resolution: int = 50) -> Array:
        """The output units' activation over the input plane (``grids(...)[-1]``),
        without keeping every layer's: the frame's large output map of a deep
        network (ten layers of 128: 24 ms instead of 35)."""
        x = self.grid_inputs(resolution)
        shape = (resolution, resolution) if self.inputs == 2 else (resolution,)
        with np.errstate(all="ignore"):
            a = self.network.predict(x)
        return a.T.reshape(a.shape[1], *shape)

    def grids(self, resolution: int = 50) -> list[Array]:
        """Every neuron's activation over the input plane, layer by layer,
        inputs first: a list of arrays of shape ``n_l × R × R`` (``n_l × R`` for
        one-input data).  The last entry is the output map."""
        x = self.grid_inputs(resolution)
        shape = (resolution, resolution) if self.inputs == 2 else (resolution,)
        out = [x.T.reshape(x.shape[1], *shape)]
        a = x
        with np.errstate(all="ignore"):
            for layer in self.network.layers:
                a = layer.evaluate(a)[1]
                out.append(a.T.reshape(a.shape[1], *shape))
        return out

    # -- saving and resuming ------------------------------------------------
    def to_state(self) -> dict[str, Any]:
        """Everything needed to continue bit-for-bit, as plain JSON-ready data."""
        return {
            "version": STATE_VERSION,
            "config": self.config,
            "data": {
                "raw_train": self.raw_train.tolist(), "raw_test": self.raw_test.tolist(),
                "labels_train": self.labels_train.tolist(), "labels_test": self.labels_test.tolist(),
            },
            "network": self.network.to_dict(),
            "grads": plain(self.network.grads) if self.network.layers[-1].has_grad else None,
            "optimizer": {"name": self.optimizer.name, **self.optimizer.state()},
            "delta": plain(self.optimizer.delta),
            "shuffle_rng": self.shuffle_rng.bit_generator.state,
            "order": self.order.tolist(),
            "position": self.position,
            "step": self.step_count,
            "epochs_done": self.epochs_done,
            "status": self.status,
            "message": self.message,
            "history": self.history.to_dict(),
        }

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> Trainer:
        """Rebuild a trainer from ``to_state()``; raises ``ConfigError`` (field
        ``state`` or ``version``) when the document is not a valid state, so
        that nothing damaged gets in to fail later."""
        if not isinstance(state, dict) or state.get("version") != STATE_VERSION:
            raise ConfigError("version", f"not a chainrule session export (version must be {STATE_VERSION})")
        try:
            return cls._from_state(state)
        except ConfigError:  # names the field at fault (e.g. config's learning_rate)
            raise
        except Exception as e:  # any damage at all is the document's fault, never a crash
            what = (f"{e.args[0]!r} is missing" if isinstance(e, KeyError) and e.args
                    else str(e) if type(e) is ValueError else "a value has the wrong type or shape")
            raise ConfigError("state", f"the export document is incomplete or damaged: {what}") from None

    @classmethod
    def _from_state(cls, state: dict[str, Any]) -> Trainer:
        try:
            t = cls(resolve_config(state["config"], saved=True), resolved=True)
        except ConfigError as e:  # say where in the document: its saved configuration
            raise ConfigError(f"state.config.{e.field}", f"the saved configuration is not valid: {e.message}") from None
        d = state["data"]
        for key in ("raw_train", "raw_test", "labels_train", "labels_test"):
            if _has_bool(d[key]):
                raise ValueError(f"data.{key}: entries must be numbers, not true or false")
        t.raw_train = _array(d["raw_train"], "data.raw_train").reshape(-1, t.inputs)
        t.raw_test = _array(d["raw_test"], "data.raw_test").reshape(-1, t.inputs)
        for key, raw in (("raw_train", t.raw_train), ("raw_test", t.raw_test)):
            if raw.size and np.abs(raw).max() > MAX_RAW:
                raise ValueError(f"data.{key}: coordinates must lie within ±{MAX_RAW:g} "
                                 f"(the input plane is ±{datamod.DOMAIN:g}; noise spreads points a little beyond it)")
        t.labels_train = _array(d["labels_train"], "data.labels_train")
        t.labels_test = _array(d["labels_test"], "data.labels_test")
        t.n_train = t.raw_train.shape[0]
        if t.labels_train.shape != (t.n_train,) or t.labels_test.shape != (t.raw_test.shape[0],):
            raise ValueError("data: labels and points differ in count")
        if t.n_train < t.config["batch_size"] or t.raw_test.shape[0] < 1:
            raise ValueError("data: the training set is smaller than batch_size, or the test set is empty")
        if t.task == "classification":
            for labels in (t.labels_train, t.labels_test):
                if not np.all((labels == np.round(labels)) & (labels >= 0) & (labels < (t.classes or 2))):
                    raise ValueError(f"data: labels must be whole numbers 0..{(t.classes or 2) - 1}")
        feats = t.config["features"]
        t.x_train = datamod.transform(t.raw_train, feats)
        t.x_test = datamod.transform(t.raw_test, feats)
        t.y_train = datamod.targets(t.labels_train, t.task, t.n_outputs)
        t.y_test = datamod.targets(t.labels_test, t.task, t.n_outputs)
        t.set_weights(state["network"]["layers"])
        size = t.network.params.size
        if state.get("grads") is not None:
            t.network.grads[...] = _array(state["grads"], "grads", size, allow_missing=True)
            for layer in t.network.layers:
                layer.has_grad = True
        opt = dict(state["optimizer"])
        if opt.pop("name") != t.optimizer.name:
            raise ValueError("optimizer: state does not match the configured optimizer")
        for key in ("velocity", "m", "s"):
            if hasattr(t.optimizer, key):
                opt[key] = _array(opt[key], f"optimizer.{key}", size)
                if key == "s" and (opt[key] < 0).any():
                    raise ValueError("optimizer.s: second moments cannot be negative")
                # Training keeps these far below it (they average gradients, whose squares
                # must sum to a finite number); a larger one would make the next step infinite.
                if key != "s" and opt[key].size and np.abs(opt[key]).max() > MAX_MOMENT:
                    raise ValueError(f"optimizer.{key}: entries must be at most {MAX_MOMENT:g} in size "
                                     "(a larger one would make the next update overflow)")
        if "t" in opt and (not isinstance(opt["t"], int) or opt["t"] < 0):
            raise ValueError("optimizer.t must be a whole number ≥ 0")
        t.optimizer.load_state(opt)
        if state.get("delta") is not None:
            t.optimizer.delta[...] = _array(state["delta"], "delta", size, allow_missing=True)
        t.shuffle_rng.bit_generator.state = state["shuffle_rng"]
        t.order = np.asarray(state["order"], dtype=np.int64)
        if t.order.shape != (t.n_train,) or sorted(t.order.tolist()) != list(range(t.n_train)):
            raise ValueError("order: not a permutation of the training set")
        t.position = _count(state["position"], "position", t.n_train)
        t.step_count = _count(state["step"], "step", 2**53)  # exact as a float in the history and in JSON
        t.epochs_done = _count(state["epochs_done"], "epochs_done", t.step_count)  # an epoch takes one step at least
        t._shuffled = t._in_order()
        t.status = state.get("status", "ok")
        if t.status not in ("ok", "diverged"):
            raise ValueError("status must be 'ok' or 'diverged'")
        t.message = str(state.get("message", ""))
        t.history = History.from_dict(len(t.network.layers), state["history"])
        # the stride doubles as the rows fill up: a power of two, about step / capacity at most
        if t.history.steps.stride > 2 * max(1, t.step_count):
            raise ValueError(f"history.steps: a stride of {t.history.steps.stride} is more than this session's "
                             f"{t.step_count} steps could have made (it would never record again)")
        t._version += 1
        t._eval_key = None
        return t

    def copy(self) -> Trainer:
        """An independent twin that continues exactly as this one would."""
        return Trainer.from_state(self.to_state())
