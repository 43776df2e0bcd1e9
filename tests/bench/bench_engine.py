"""Engine benchmark: the time of one training update, against other ways of
doing the same update.

Not a test (pytest does not collect it: its name does not start with
``test_``).  Run from the repository root:

    python tests/bench/bench_engine.py [--repeats 15] [--updates 1000]

For three networks (tanh hidden layers, one sigmoid output, bce loss, sgd with
η = 0.03) -- 2-4-2-1 with batches of 10, 2-8×6-1 (six hidden layers of eight)
with batches of 10, and 2-64-64-1 with batches of 100 -- it times one update of

* ours: ``engine.Trainer.step(1000) / 1000`` (the headline; the trace of the
  last pass is kept on the layers and the history records every update) and
  ``Trainer.step(1)`` called in a loop;
* a minimal hand-written NumPy loop doing the same update (forward, bce value
  from the logits, backward, SGD on separate W and b arrays, mini-batches
  sliced from an array shuffled once per epoch);
* PyTorch eager, float64 and float32 (``zero_grad``, forward, loss,
  ``backward``, ``torch.optim.SGD.step``);
* scikit-learn's ``MLPClassifier``: ``partial_fit`` on one mini-batch, and
  ``fit`` with ``max_iter=1, warm_start=True`` on one mini-batch (which must
  hold both classes: a batch of one class gets one row of the other).

Each time is the median of ``--repeats`` runs of ``--updates`` updates (fewer
for scikit-learn, which is slower), the contenders taking turns run by run.  Goals: ours/minimal ≤ 1.5,
torch/ours ≥ 3.  PyTorch ÷ ours is also given round by round (median and range):
both run in each round, seconds apart, so a slow spell of the machine falls on
both and the ratio moves less than the times do.  It also times ``Trainer().grids(50)`` for the default network
(goal ≤ 2 ms).  Before timing, one update of the minimal loop and of PyTorch
float64 is checked to give the same weights as ours from the same start on the
same batch, so that the comparison is of equal work.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
import warnings
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from engine import Trainer  # noqa: E402

LR = 0.03
N_SAMPLES = 1000  # 500 training points: every batch size here divides it
NETS = [
    ("2-4-2-1", [4, 2], 10),
    ("2-8x6-1", [8] * 6, 10),
    ("2-64-64-1", [64, 64], 100),
]


def round_times(runs: dict, updates: dict, repeats: int) -> dict:
    """Seconds per update of each ``runs[name](updates[name])``, one value per round.

    The contenders take turns (one run of each per round, ``repeats`` rounds),
    so that a slow spell of a shared machine hits them all alike."""
    for name, run in runs.items():
        run(max(1, updates[name] // 10))  # warm up
    times: dict = {name: [] for name in runs}
    for _ in range(repeats):
        for name, run in runs.items():
            start = time.perf_counter()
            run(updates[name])
            times[name].append((time.perf_counter() - start) / updates[name])
    return times


def paired_ratio(times: dict, peer: str, ours: str = "ours") -> tuple[float, float, float] | None:
    """Median, lowest and highest of ``peer ÷ ours`` taken round by round (the two
    run in the same round, seconds apart, so a slow spell of the machine falls on both)."""
    if peer not in times:
        return None
    r = [p / o for p, o in zip(times[peer], times[ours], strict=True)]
    return statistics.median(r), min(r), max(r)


def make_trainer(hidden: list[int], batch: int) -> Trainer:
    return Trainer({"dataset": "circle", "n_samples": N_SAMPLES, "hidden_layers": hidden, "activation": "tanh",
                    "output_activation": "sigmoid", "loss": "bce", "optimizer": "sgd", "learning_rate": LR,
                    "batch_size": batch, "seed": 0})


def initial_weights(t: Trainer) -> list[tuple[np.ndarray, np.ndarray]]:
    return [(layer.W.copy(), layer.b.copy()) for layer in t.network.layers]


# -- (a) the minimal NumPy loop ----------------------------------------------------------
class MinimalLoop:
    """Separate W, b arrays; tanh hidden layers, a sigmoid output, bce, sgd."""

    def __init__(self, weights, x: np.ndarray, y: np.ndarray, batch: int, seed: int = 0) -> None:
        self.W = [W.copy() for W, _ in weights]
        self.b = [b.copy() for _, b in weights]
        self.x, self.y, self.batch = x, y, batch
        self.rng = np.random.default_rng(seed)
        self.pos = len(x)
        self.loss = 0.0

    def update(self, xb: np.ndarray, yb: np.ndarray) -> None:
        W, b = self.W, self.b
        last = len(W) - 1
        acts = [xb]
        a = xb
        for i in range(last):
            a = np.tanh(a @ W[i].T + b[i])
            acts.append(a)
        z = a @ W[last].T + b[last]
        p = 0.5 * (1.0 + np.tanh(0.5 * z))
        self.loss = float(np.mean(np.maximum(z, 0.0) - yb * z + np.log1p(np.exp(-np.abs(z)))))
        delta = (p - yb) / len(xb)
        for i in range(last, -1, -1):
            gW = delta.T @ acts[i]
            gb = delta.sum(axis=0)
            if i:
                delta = (delta @ W[i]) * (1.0 - acts[i] * acts[i])
            W[i] -= LR * gW
            b[i] -= LR * gb

    def run(self, updates: int) -> None:
        n, B = len(self.x), self.batch
        for _ in range(updates):
            if self.pos >= n:
                perm = self.rng.permutation(n)
                self.xs, self.ys = self.x[perm], self.y[perm]
                self.pos = 0
            self.update(self.xs[self.pos : self.pos + B], self.ys[self.pos : self.pos + B])
            self.pos += B


# -- (b) PyTorch eager ---------------------------------------------------------------------------
class TorchLoop:
    def __init__(self, torch, weights, x, y, batch, dtype) -> None:
        self.torch = torch
        nn = torch.nn
        layers = []
        for i, (W, b) in enumerate(weights):
            lin = nn.Linear(W.shape[1], W.shape[0]).to(dtype)
            with torch.no_grad():
                lin.weight.copy_(torch.tensor(W, dtype=dtype))
                lin.bias.copy_(torch.tensor(b, dtype=dtype))
            layers.append(lin)
            if i < len(weights) - 1:
                layers.append(nn.Tanh())
        self.model = nn.Sequential(*layers)
        self.opt = torch.optim.SGD(self.model.parameters(), lr=LR)
        self.loss_fn = nn.BCEWithLogitsLoss()
        self.x = torch.tensor(x, dtype=dtype)
        self.y = torch.tensor(y, dtype=dtype)
        self.batch = batch
        self.pos = len(x)
        self.gen = torch.Generator().manual_seed(0)

    def update(self, xb, yb) -> None:
        self.opt.zero_grad()
        loss = self.loss_fn(self.model(xb), yb)
        loss.backward()
        self.opt.step()

    def run(self, updates: int) -> None:
        n, B = len(self.x), self.batch
        for _ in range(updates):
            if self.pos >= n:
                perm = self.torch.randperm(n, generator=self.gen)
                self.xs, self.ys = self.x[perm], self.y[perm]
                self.pos = 0
            self.update(self.xs[self.pos : self.pos + B], self.ys[self.pos : self.pos + B])
            self.pos += B

    def weights(self):
        lins = [m for m in self.model if isinstance(m, self.torch.nn.Linear)]
        return [(m.weight.detach().double().numpy(), m.bias.detach().double().numpy()) for m in lins]


# -- (c) scikit-learn -------------------------------------------------------------------------------
class SklearnLoop:
    def __init__(self, hidden, x, y, batch, mode: str) -> None:
        from sklearn.neural_network import MLPClassifier

        self.clf = MLPClassifier(hidden_layer_sizes=tuple(hidden), activation="tanh", solver="sgd",
                                 learning_rate_init=LR, momentum=0.0, nesterovs_momentum=False, alpha=0.0,
                                 batch_size=batch, max_iter=1, shuffle=False, warm_start=(mode == "fit"),
                                 random_state=0, tol=0.0, n_iter_no_change=10**9)
        self.x, self.y = x, y[:, 0].astype(int)
        # fit(warm_start) refuses a batch whose labels are all of one class; such a
        # batch gets its last row from the other class (same work, other labels)
        self.other = {c: int(np.flatnonzero(self.y != c)[0]) for c in (0, 1)}
        self.batch, self.mode = batch, mode
        self.rng = np.random.default_rng(0)
        self.pos = len(x)
        self.classes = np.array([0, 1])

    def run(self, updates: int) -> None:
        n, B = len(self.x), self.batch
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for _ in range(updates):
                if self.pos >= n:
                    perm = self.rng.permutation(n)
                    self.xs, self.ys = self.x[perm], self.y[perm]
                    self.pos = 0
                xb, yb = self.xs[self.pos : self.pos + B], self.ys[self.pos : self.pos + B]
                if self.mode == "partial_fit":
                    self.clf.partial_fit(xb, yb, classes=self.classes)
                else:
                    if yb.min() == yb.max():
                        j = self.other[int(yb[0])]
                        xb, yb = xb.copy(), yb.copy()
                        xb[-1], yb[-1] = self.x[j], self.y[j]
                    self.clf.fit(xb, yb)
                self.pos += B


# -- checks that the work is the same ---------------------------------------------------------------
def check_same_update(hidden, batch, torch) -> list[str]:
    t = make_trainer(hidden, batch)
    start = initial_weights(t)
    t.step(1)
    rows = t.order[:batch]
    xb, yb = t.x_train[rows], t.y_train[rows]
    ours = initial_weights(t)
    notes = []
    mini = MinimalLoop(start, t.x_train, t.y_train, batch)
    mini.update(xb, yb)
    err = max(float(np.max(np.abs(W - Wo))) for W, (Wo, _) in zip(mini.W, ours, strict=True))
    notes.append(f"minimal {err:.1e}")
    if torch is not None:
        tl = TorchLoop(torch, start, t.x_train, t.y_train, batch, torch.float64)
        tl.update(torch.tensor(xb), torch.tensor(yb))
        err_t = max(float(np.max(np.abs(W - Wo))) for (W, _), (Wo, _) in zip(tl.weights(), ours, strict=True))
        notes.append(f"torch64 {err_t:.1e}")
        if err_t > 1e-12:
            raise SystemExit(f"torch float64 update differs from ours by {err_t}")
    if err > 1e-12:
        raise SystemExit(f"minimal loop update differs from ours by {err}")
    return notes


def fmt(v: float | None, width: int = 9) -> str:
    return f"{'–':>{width}}" if v is None else f"{v:>{width}.1f}"


def ratio(a: float | None, b: float | None, width: int = 7) -> str:
    return f"{'–':>{width}}" if a is None or b is None else f"{a / b:>{width}.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=15, help="runs per measurement (the median is reported)")
    parser.add_argument("--updates", type=int, default=1000, help="updates per run")
    parser.add_argument("--sklearn-updates", type=int, default=200, help="updates per run for scikit-learn")
    args = parser.parse_args()

    try:
        import torch
    except ImportError:  # pragma: no cover
        torch = None
    try:
        import sklearn
    except ImportError:  # pragma: no cover
        sklearn = None

    print(f"python {platform.python_version()}, numpy {np.__version__}, "
          f"torch {torch.__version__ if torch else 'absent'} ({torch.get_num_threads() if torch else 0} threads), "
          f"scikit-learn {sklearn.__version__ if sklearn else 'absent'}; {os.cpu_count()} CPUs; "
          f"OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', '(unset)')}")
    try:
        from threadpoolctl import threadpool_info

        blas = [f"{i.get('internal_api')} {i.get('version')} ({i.get('architecture')}, {i.get('num_threads')} threads)"
                for i in threadpool_info() if i.get("user_api") == "blas"]
        print("BLAS: " + "; ".join(blas))
    except ImportError:  # pragma: no cover
        pass
    print(f"median of {args.repeats} runs of {args.updates} updates ({args.sklearn_updates} for scikit-learn); "
          f"times in µs per update; {N_SAMPLES // 2} training points; tanh hidden, sigmoid output, bce, sgd η={LR}")
    print()

    header = (f"{'net':<11}{'batch':>6} {'ours':>9} {'ours s1':>9} {'minimal':>9} {'o/min':>7} "
              f"{'torch64':>9} {'t64/o':>7} {'torch32':>9} {'t32/o':>7} {'skl pfit':>9} {'skl fit':>9}  same update (max |ΔW|)")
    print(header)
    print("-" * len(header))
    paired: dict = {}
    for name, hidden, batch in NETS:
        notes = check_same_update(hidden, batch, torch)
        t = make_trainer(hidden, batch)
        start = initial_weights(t)
        t1 = make_trainer(hidden, batch)

        def one_by_one(k, t1=t1):
            for _ in range(k):
                t1.step(1)

        runs = {"ours": lambda k, t=t: t.step(k), "ours1": one_by_one,
                "minimal": MinimalLoop(start, t.x_train, t.y_train, batch).run}
        if torch is not None:
            runs["t64"] = TorchLoop(torch, start, t.x_train, t.y_train, batch, torch.float64).run
            runs["t32"] = TorchLoop(torch, start, t.x_train, t.y_train, batch, torch.float32).run
        if sklearn is not None:
            runs["pfit"] = SklearnLoop(hidden, t.x_train, t.y_train, batch, "partial_fit").run
            runs["fit"] = SklearnLoop(hidden, t.x_train, t.y_train, batch, "fit").run
        counts = {name: args.sklearn_updates if name in ("pfit", "fit") else args.updates for name in runs}
        per_round = round_times(runs, counts, args.repeats)
        m = {name: statistics.median(v) for name, v in per_round.items()}
        paired[name] = {peer: paired_ratio(per_round, peer) for peer in ("t64", "t32")}
        ours, ours1, minimal = m["ours"], m["ours1"], m["minimal"]
        t64, t32, pfit, fit = m.get("t64"), m.get("t32"), m.get("pfit"), m.get("fit")
        us = lambda v: None if v is None else v * 1e6  # noqa: E731
        print(f"{name:<11}{batch:>6} {fmt(us(ours))} {fmt(us(ours1))} {fmt(us(minimal))} {ratio(ours, minimal)} "
              f"{fmt(us(t64))} {ratio(t64, ours)} {fmt(us(t32))} {ratio(t32, ours)} {fmt(us(pfit))} {fmt(us(fit))}"
              f"  {', '.join(notes)}")
    print()
    print("ours = Trainer.step(1000)/1000 (headline); ours s1 = Trainer.step(1) in a loop; "
          "o/min goal ≤ 1.5; t64/o and t32/o goal ≥ 3 (ratios of the medians)")
    print()
    print(f"PyTorch ÷ ours round by round (both run in each round, seconds apart; median, lowest–highest of "
          f"{args.repeats} rounds):")
    for name, peers in paired.items():
        cells = [f"{label} {p[0]:.2f} ({p[1]:.2f}–{p[2]:.2f})" for label, p in
                 (("float64", peers["t64"]), ("float32", peers["t32"])) if p is not None]
        print(f"  {name:<11}" + ("   ".join(cells) if cells else "torch absent"))

    # grids(50) of the default network: cached grid inputs (every frame after the first) and cold
    t = Trainer()
    warm = statistics.median(_time_each(lambda: t.grids(50), 200))
    cold = statistics.median(_time_each(lambda: Trainer().grids(50), 50, setup_excluded=False))
    build = statistics.median(_time_each(lambda: Trainer(), 50, setup_excluded=False))
    print()
    print(f"Trainer().grids(50), default network 2-4-2-1: {warm * 1e3:.3f} ms per call with the grid inputs cached "
          f"(goal ≤ 2 ms); first call on a new trainer {max(cold - build, 0.0) * 1e3:.3f} ms "
          f"(Trainer() + grids(50) {cold * 1e3:.3f} ms, Trainer() alone {build * 1e3:.3f} ms)")


def _time_each(fn, times: int, setup_excluded: bool = True) -> list[float]:
    fn()
    out = []
    for _ in range(times):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return out


if __name__ == "__main__":
    main()
