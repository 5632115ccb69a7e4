"""The seeded training loop every chapter uses, and the readout that turns hidden states into predictions.

A chapter's experiment is three lines::

    torch.manual_seed(seed)                                   # the model's initial weights
    model = Predictor(RNN(task.input_size, 32), task.output_size)
    history = train(model, task, steps=600, seed=seed)        # the order of the training batches

Training shows a progress bar; set the environment variable ``LSTM_COURSE_PROGRESS=0`` to hide it
(the stored notebooks and the tests do).
"""

from __future__ import annotations

import math
import os
import random
from dataclasses import dataclass, field

import numpy as np
import torch
from torch import nn
from tqdm.auto import tqdm

from .checks import check_positive_int
from .models import LSTM, RNN
from .tasks import Task

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


class Predictor(nn.Module):
    """A recurrent core (:class:`~lstm_course.RNN` or :class:`~lstm_course.LSTM`) with a linear readout.

    The readout :math:`\\hat y_t = W_y h_t + b_y` is applied to every hidden state; the task decides
    which steps it scores. Maps ``x`` ``(B, T, I)`` to predictions ``(B, T, output_size)``.

    The core may also be the equivalent one-layer, batch-first ``torch.nn.RNN`` or
    ``torch.nn.LSTM`` (see :meth:`to_torch`): the same numbers, computed by PyTorch's fused kernels.
    """

    def __init__(self, core: RNN | LSTM | nn.RNN | nn.LSTM, output_size: int) -> None:
        super().__init__()
        if not isinstance(core, (RNN, LSTM, nn.RNN, nn.LSTM)):
            raise TypeError(f"core must be an lstm_course RNN or LSTM, or its torch.nn copy, got {type(core).__name__}")
        if isinstance(core, (nn.RNN, nn.LSTM)) and not (core.batch_first and core.num_layers == 1):
            raise ValueError(
                f"a torch core must have batch_first=True and num_layers=1, "
                f"got batch_first={core.batch_first}, num_layers={core.num_layers}"
            )
        self.core = core
        self.readout = nn.Linear(core.hidden_size, check_positive_int("output_size", output_size))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        hidden = self.core(x)[0]  # (B, T, H)
        return self.readout(hidden)  # (B, T, output_size)

    def to_torch(self) -> Predictor:
        """A copy whose core is the equivalent ``torch.nn`` module (the core's ``to_torch()``), readout copied.

        It computes the same numbers, to float rounding, and trains the same way, only faster: for a
        full LSTM 1.5 to 2 times as fast at the sizes of the course. PyTorch keeps two biases whose sum
        is the model's :math:`b`; only ``bias_ih_l0`` is trained, because an optimiser such as Adam
        would move each of two biases by a full step and so move their sum twice as fast. A gate
        the scratch model does not have stays fixed at 1 (see :meth:`lstm_course.LSTM.to_torch`).
        """
        if not isinstance(self.core, (RNN, LSTM)):
            raise TypeError(f"to_torch needs an lstm_course core, this one is {type(self.core).__name__}")
        core = self.core.to_torch()
        core.bias_hh_l0.requires_grad_(False)
        return self._with_core(core)

    def to_scratch(self) -> Predictor:
        """The way back from :meth:`to_torch`: a copy with an lstm_course core, for traces and gradients.

        A ``torch.nn.LSTM`` comes back as a three-gate :class:`~lstm_course.LSTM`.
        """
        if isinstance(self.core, nn.LSTM):
            return self._with_core(LSTM.from_torch(self.core))
        if isinstance(self.core, nn.RNN):
            return self._with_core(RNN.from_torch(self.core))
        raise TypeError(f"to_scratch needs a torch.nn core, this one is {type(self.core).__name__}")

    def _with_core(self, core: nn.Module) -> Predictor:
        """A new predictor with ``core`` and a copy of this readout."""
        copy = Predictor(core, self.readout.out_features)
        copy.readout.load_state_dict(self.readout.state_dict())
        return copy


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

    def steps_to_reach(self, accuracy: float = 0.95, window: int = 25) -> int | None:
        """The first step at which the moving-average accuracy reaches ``accuracy``; None if it never does."""
        reached = np.nonzero(moving_average(self.accuracy, window) >= accuracy)[0]
        return int(reached[0]) + 1 if len(reached) else None


@dataclass
class Evaluation:
    """A model's loss and accuracy on held-out sequences."""

    loss: float
    accuracy: float


def make_optimizer(model: nn.Module, name: str, lr: float) -> torch.optim.Optimizer:
    """Adam, or plain stochastic gradient descent with momentum 0.9 (``"sgd"``)."""
    if name == "adam":
        return torch.optim.Adam(model.parameters(), lr=lr)
    if name == "sgd":
        return torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9)
    raise ValueError(f"optimizer must be 'adam' or 'sgd', got {name!r}")


def train(
    model: Predictor,
    task: Task,
    steps: int,
    seed: int = 0,
    lr: float = 3e-3,
    optimizer: str = "adam",
    clip: float | None = None,
    batch_size: int = 64,
) -> History:
    """Train ``model`` on fresh batches of ``task`` for ``steps`` steps and return its :class:`History`.

    Args:
        model: the predictor to train, in place.
        task: where the batches come from and how they are scored.
        steps: number of gradient steps, one fresh batch each.
        seed: seeds the sequence of training batches (seed the weights before building the model).
        lr: learning rate.
        optimizer: ``"adam"`` or ``"sgd"`` (with momentum 0.9).
        clip: if given, rescale the gradient whenever its norm exceeds ``clip`` (Pascanu et al., 2013).
        batch_size: sequences per step.
    """
    check_positive_int("steps", steps)
    if clip is not None and not clip > 0:
        raise ValueError(f"clip must be a positive number or None, got {clip!r}")
    generator = torch.Generator().manual_seed(seed)
    optim = make_optimizer(model, optimizer, lr)
    history = History()
    model.train()
    bar = tqdm(range(steps), desc=f"training {type(model.core).__name__}", disable=not progress_bars_enabled())
    for step in bar:
        x, y = task.sample(batch_size, generator=generator)
        predictions = model(x)
        loss = task.loss(predictions, y)
        optim.zero_grad()
        loss.backward()
        grad_norm = nn.utils.clip_grad_norm_(model.parameters(), clip if clip is not None else math.inf)
        optim.step()
        history.loss.append(loss.item())
        history.accuracy.append(task.accuracy(predictions.detach(), y))
        history.grad_norm.append(grad_norm.item())
        if step % 25 == 0:
            bar.set_postfix(loss=f"{history.loss[-1]:.3f}", accuracy=f"{history.accuracy[-1]:.2f}")
    return history


@torch.no_grad()
def evaluate(model: Predictor, task: Task, batch_size: int = 1000) -> Evaluation:
    """Score ``model`` on ``batch_size`` held-out sequences, the same ones on every call."""
    model.eval()
    x, y = task.sample(batch_size, generator=torch.Generator().manual_seed(EVALUATION_SEED))
    predictions = model(x)
    return Evaluation(loss=task.loss(predictions, y).item(), accuracy=task.accuracy(predictions, y))


def moving_average(values: list[float], window: int = 25) -> np.ndarray:
    """A trailing moving average over ``window`` steps; the first steps average what exists so far."""
    values = np.asarray(values, dtype=float)
    sums = np.cumsum(np.insert(values, 0, 0.0))
    ends = np.arange(1, len(values) + 1)
    counts = np.minimum(ends, window)
    return (sums[ends] - sums[ends - counts]) / counts


def progress_bars_enabled() -> bool:
    """False when the environment variable ``LSTM_COURSE_PROGRESS`` is ``0``."""
    return os.environ.get("LSTM_COURSE_PROGRESS", "1") != "0"
