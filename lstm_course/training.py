"""The seeded training loop every chapter uses: one model, or one RNN per seed trained together.

A chapter's experiment is three lines::

    model = Predictor.rnn(task, seed=seed)                 # the model's initial weights
    history = train(model, task, steps=600, seed=seed)     # the seed orders the training batches
    score = evaluate(model, task).accuracy                 # on held-out sequences

:func:`train_together` trains several RNN predictors at once, one per seed, with the same
settings; each ends as :func:`train` would have left it, to float rounding. Both run the same loop,
configured by one :class:`TrainingSettings`. :func:`train_as_torch` trains an LSTM's faster
``torch.nn`` copy and brings it back.

Training shows a progress bar; set the environment variable ``LSTM_COURSE_PROGRESS=0`` to hide it
(the stored notebooks and the tests do).
"""

from __future__ import annotations

import math
import os
import random
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from typing import Protocol

import numpy as np
import torch
from torch import nn
from tqdm.auto import tqdm

from .predictor import Predictor, check_predictor
from .parallel_rnns import ParallelRNNs
from .tasks import Task
from .validation import check_model_fits_task, check_positive_int, check_positive_number

SMOOTHING_WINDOW = 25
"""Steps averaged by :func:`moving_average`: how the course smooths a training curve before reading it."""

EVALUATION_SEED = 1_000_003
"""Seed of the held-out batches in :func:`evaluate`, far from the seeds used for training batches."""


def make_reproducible(seed: int = 0, threads: int = 1) -> None:
    """Seed Python, NumPy and PyTorch, fix the thread count and ask PyTorch for deterministic kernels.

    With the same seed and thread count, a notebook computes the same numbers on every run of one
    machine. Another machine rounds differently and its training runs differ in later digits,
    which is why the chapters claim only what holds over seeds. One thread is the default: for
    networks of the course's size it is faster than two, and every chapter and test uses it.
    """
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.set_num_threads(threads)
    torch.use_deterministic_algorithms(True)


@dataclass
class History:
    """What happened at each training step: the batch's loss and accuracy, and the gradient norm.

    ``grad_norm`` is the norm of the whole gradient (all parameters together) before clipping.
    """

    loss: list[float] = field(default_factory=list)
    accuracy: list[float] = field(default_factory=list)
    grad_norm: list[float] = field(default_factory=list)

    def final_accuracy(self, last: int = 50) -> float:
        """The mean training accuracy over the ``last`` steps: a less noisy summary than the last step."""
        return float(np.mean(self.accuracy[-last:]))

    def steps_to_reach(self, accuracy: float = 0.95, window: int = SMOOTHING_WINDOW) -> int | None:
        """The first step at which the moving-average accuracy reaches ``accuracy``; None if it never does."""
        reached = np.nonzero(moving_average(self.accuracy, window) >= accuracy)[0]
        return int(reached[0]) + 1 if len(reached) else None


@dataclass
class Evaluation:
    """A model's loss and accuracy on held-out sequences."""

    loss: float
    accuracy: float


@dataclass(frozen=True)
class TrainingSettings:
    """How to train: the same settings serve one model and a batch of seeds.

    Attributes:
        steps: number of gradient steps, one fresh batch each.
        lr: learning rate.
        optimizer: ``"adam"`` or ``"sgd"`` (stochastic gradient descent with momentum 0.9).
        clip: if given, rescale the gradient whenever its norm exceeds ``clip`` (Pascanu et al., 2013).
        batch_size: sequences per step (per model).
    """

    steps: int
    lr: float = 3e-3
    optimizer: str = "adam"
    clip: float | None = None
    batch_size: int = 64

    def __post_init__(self) -> None:
        check_positive_int("steps", self.steps)
        check_positive_number("lr", self.lr)
        if self.optimizer not in ("adam", "sgd"):
            raise ValueError(f"optimizer must be 'adam' or 'sgd', got {self.optimizer!r}")
        if self.clip is not None and (isinstance(self.clip, bool) or not isinstance(self.clip, (int, float))
                                      or not self.clip > 0):
            raise ValueError(f"clip must be a positive number or None, got {self.clip!r}")
        check_positive_int("batch_size", self.batch_size)


def make_optimizer(model: nn.Module, name: str, lr: float) -> torch.optim.Optimizer:
    """Adam, or plain stochastic gradient descent with momentum 0.9 (``"sgd"``), over ``model``'s parameters."""
    if name == "adam":
        return torch.optim.Adam(model.parameters(), lr=lr)
    if name == "sgd":
        return torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9)
    raise ValueError(f"optimizer must be 'adam' or 'sgd', got {name!r}")


def train(model: Predictor, task: Task, steps: int, seed: int = 0, **settings: object) -> History:
    """Train ``model`` in place on fresh batches of ``task`` and return its :class:`History`.

    Args:
        model: the predictor to train (seed the weights before building it, or use
            :meth:`Predictor.rnn <lstm_course.Predictor.rnn>` / :meth:`~lstm_course.Predictor.lstm`).
        task: where the batches come from and how they are scored.
        steps: number of gradient steps, one fresh batch each.
        seed: seeds the sequence of training batches.
        **settings: the other fields of :class:`TrainingSettings`: ``lr``, ``optimizer``,
            ``clip``, ``batch_size``.

    Example:
        >>> history = train(model, task, steps=600, seed=0, optimizer="sgd", lr=0.05, clip=1.0)
    """
    settings = _settings(steps, settings)
    check_predictor(model)
    check_model_fits_task("model", model, task)
    return _training_loop(_OneModel(model), task, [seed], settings)[0]


def train_as_torch(
    model: Predictor, task: Task, steps: int, seed: int = 0, **settings: object
) -> tuple[Predictor, History]:
    """Train ``model``'s ``torch.nn`` copy and return the trained copy as an lstm_course model, with its history.

    The copy (:meth:`Predictor.to_torch <lstm_course.Predictor.to_torch>`) computes the same numbers
    and trains 1.5 to 2 times as fast; the model that comes back
    (:meth:`~lstm_course.Predictor.to_scratch`) can be traced gate by gate. ``model`` itself is
    left untrained. An LSTM comes back with three gates: a gate it did not have stays fixed at 1,
    and a frozen gate stayed frozen while the copy trained. The arguments are :func:`train`'s.
    """
    fast = model.to_torch()
    history = train(fast, task, steps, seed, **settings)
    return fast.to_scratch(), history


def train_together(
    models: Sequence[Predictor], task: Task, steps: int, seeds: Sequence[int], **settings: object
) -> list[History]:
    """Train several RNN predictors at once; the same as :func:`train` on each, only faster.

    Model ``k`` is trained in place on the batches of ``seeds[k]``, with the same settings for
    all, side by side in one :class:`~lstm_course.parallel_rnns.ParallelRNNs` computation. Returns one
    :class:`History` per model, in order.

    Args:
        models: :class:`~lstm_course.Predictor` models with :class:`~lstm_course.RNN` cores of one
            size, e.g. ``[Predictor.rnn(task, seed) for seed in seeds]``.
        task: where the batches come from and how they are scored.
        steps: number of gradient steps, one fresh batch per model each.
        seeds: one per model; seeds the sequence of its training batches.
        **settings: the other fields of :class:`TrainingSettings`, the same for every model.
    """
    settings = _settings(steps, settings)
    parallel = ParallelRNNs(models)
    if len(seeds) != len(models):
        raise ValueError(f"seeds must hold one seed per model ({len(models)}), got {len(seeds)}")
    check_model_fits_task("models", models[0], task)
    histories = _training_loop(_SideBySide(parallel), task, seeds, settings)
    parallel.copy_to(models)
    return histories


def _settings(steps: int, settings: dict[str, object]) -> TrainingSettings:
    """The :class:`TrainingSettings` of a call to :func:`train` or :func:`train_together`; unknown names are named."""
    known = [f.name for f in fields(TrainingSettings) if f.name != "steps"]
    unknown = sorted(set(settings) - set(known))
    if unknown:
        raise TypeError(f"unknown training setting(s) {unknown}; the settings are {known}")
    return TrainingSettings(steps=steps, **settings)


class _Trainees(Protocol):
    """What the training loop needs of what it trains: one model, or several side by side, one per seed."""

    module: nn.Module
    description: str

    def predict(self, inputs: list[torch.Tensor]) -> list[torch.Tensor]:
        """Each model's predictions ``(B, T, O)`` on its own batch ``(B, T, I)``."""

    def clip_gradients(self, clip: float | None) -> torch.Tensor:
        """Each model's gradient norm before clipping, ``(N,)``; clip each if ``clip`` is given."""


class _OneModel:
    """One predictor, seen by the loop as one model of a batch of one."""

    def __init__(self, model: Predictor) -> None:
        self.module = model
        self.description = f"training {type(model.core).__name__}"

    def predict(self, inputs: list[torch.Tensor]) -> list[torch.Tensor]:
        return [self.module(inputs[0])]

    def clip_gradients(self, clip: float | None) -> torch.Tensor:
        max_norm = clip if clip is not None else math.inf
        return nn.utils.clip_grad_norm_(self.module.parameters(), max_norm).reshape(1)


class _SideBySide:
    """RNN predictors side by side: one batched forward, each clipped by its own norm."""

    def __init__(self, parallel: ParallelRNNs) -> None:
        self.module = parallel
        self.description = f"training {parallel.W_h.shape[0]} RNNs"

    def predict(self, inputs: list[torch.Tensor]) -> list[torch.Tensor]:
        return list(self.module(torch.stack(inputs)).unbind(0))  # N predictions, each (B, T, O)

    def clip_gradients(self, clip: float | None) -> torch.Tensor:
        return self.module.clip_each_gradient(clip)


def _training_loop(trainees: _Trainees, task: Task, seeds: Sequence[int], settings: TrainingSettings) -> list[History]:
    """The training loop, for one model or several side by side: one :class:`History` per model.

    Each model trains on the batches of its own seed. The models' losses are added before the
    backward pass, so each model's gradient is its own; Adam and SGD update every number
    separately, and clipping rescales each model's gradient by that model's own norm.
    """
    generators = [torch.Generator().manual_seed(seed) for seed in seeds]
    optim = make_optimizer(trainees.module, settings.optimizer, settings.lr)
    trainees.module.train()
    N, steps = len(seeds), settings.steps
    losses, accuracies, grad_norms = (torch.empty(steps, N, dtype=torch.float64) for _ in range(3))
    bar = tqdm(range(steps), desc=trainees.description, disable=not progress_bars_enabled())
    for step in bar:
        batches = [task.sample(settings.batch_size, generator=generator) for generator in generators]
        predictions = trainees.predict([x for x, _ in batches])
        loss = torch.stack([task.loss(p, y) for p, (_, y) in zip(predictions, batches)])  # (N,)
        optim.zero_grad()
        loss.sum().backward()
        grad_norms[step] = trainees.clip_gradients(settings.clip)
        optim.step()
        losses[step] = loss.detach()
        accuracies[step] = torch.tensor(
            [task.accuracy(p.detach(), y) for p, (_, y) in zip(predictions, batches)], dtype=torch.float64
        )
        if step % 25 == 0:
            bar.set_postfix(loss=f"{losses[step].mean():.3f}", accuracy=f"{accuracies[step].mean():.2f}")
    return [
        History(loss=losses[:, k].tolist(), accuracy=accuracies[:, k].tolist(), grad_norm=grad_norms[:, k].tolist())
        for k in range(N)
    ]


@torch.no_grad()
def evaluate(model: Predictor, task: Task, batch_size: int = 1000) -> Evaluation:
    """Score ``model`` on ``batch_size`` held-out sequences, the same ones on every call."""
    check_predictor(model)
    check_model_fits_task("model", model, task)
    model.eval()
    x, y = task.sample(batch_size, generator=torch.Generator().manual_seed(EVALUATION_SEED))
    predictions = model(x)
    return Evaluation(loss=task.loss(predictions, y).item(), accuracy=task.accuracy(predictions, y))


def moving_average(values: list[float], window: int = SMOOTHING_WINDOW) -> np.ndarray:
    """A trailing moving average over ``window`` steps; the first steps average what exists so far."""
    values = np.asarray(values, dtype=float)
    sums = np.cumsum(np.insert(values, 0, 0.0))
    ends = np.arange(1, len(values) + 1)
    counts = np.minimum(ends, window)
    return (sums[ends] - sums[ends - counts]) / counts


def progress_bars_enabled() -> bool:
    """False when the environment variable ``LSTM_COURSE_PROGRESS`` is ``0``."""
    return os.environ.get("LSTM_COURSE_PROGRESS", "1") != "0"
