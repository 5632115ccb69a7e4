"""Synthetic sequence tasks that test memory, each with its chance level.

Every task samples batch-first inputs ``x`` of shape ``(B, T, input_size)`` and targets ``y``,
and scores a model's predictions of shape ``(B, T, output_size)`` (the readout applied to every
hidden state; each task picks the steps it scores). Two numbers say what "no memory" looks like:

- ``chance``: the accuracy of the best guess that does not look at the input;
- ``chance_loss``: the loss of that blind guess.

A model that ends training at these numbers has learned nothing about the past.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod

import torch
from torch.nn import functional as F

from .checks import check_positive_int


class Task(ABC):
    """A sequence task: how to sample it, how to score it, and what chance scores."""

    input_size: int
    output_size: int
    length: int
    chance: float
    chance_loss: float

    @abstractmethod
    def sample(self, batch_size: int, generator: torch.Generator | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        """Draw ``(x, y)``: inputs ``(batch_size, length, input_size)`` and the targets."""

    @abstractmethod
    def loss(self, predictions: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
        """The training loss, averaged over the batch, of predictions ``(B, T, output_size)``."""

    @abstractmethod
    def accuracy(self, predictions: torch.Tensor, targets: torch.Tensor) -> float:
        """The fraction of sequences answered correctly."""


class DelayedRecall(Task):
    """Remember a symbol for ``lag`` steps, then name it.

    One of ``n_symbols`` symbols is shown as a one-hot vector; every other step is blank
    (all zeros). After ``lag`` blank steps the sequence ends, and the model must say which
    symbol it saw, from its last hidden state. Nothing in between helps: the symbol must be
    carried through ``lag`` steps of the recurrence.

    Args:
        lag: steps between the symbol and the answer.
        n_symbols: size of the alphabet; chance accuracy is ``1 / n_symbols``.
        length: total number of steps; default ``lag + 1`` (the symbol comes first). With a
            longer sequence, blank steps come before the symbol too.

    Shapes:
        ``x``: ``(B, length, n_symbols)``; ``y``: ``(B,)``, the symbol's index (``torch.long``).
        The answer is read from the prediction at the last step.

    Example:
        >>> task = DelayedRecall(lag=5)
        >>> x, y = task.sample(3, generator=torch.Generator().manual_seed(0))
        >>> x.shape, y.shape, task.chance
        (torch.Size([3, 6, 4]), torch.Size([3]), 0.25)
    """

    def __init__(self, lag: int, n_symbols: int = 4, length: int | None = None) -> None:
        self.lag = check_positive_int("lag", lag)
        self.n_symbols = check_positive_int("n_symbols", n_symbols)
        if n_symbols < 2:
            raise ValueError(f"n_symbols must be at least 2 for a choice to exist, got {n_symbols}")
        self.length = lag + 1 if length is None else check_positive_int("length", length)
        if self.lag > self.length - 1:
            raise ValueError(
                f"lag must be shorter than the sequence: lag <= length - 1 = {self.length - 1}, got lag={lag}"
            )
        self.input_size = self.output_size = n_symbols
        self.chance = 1.0 / n_symbols
        self.chance_loss = math.log(n_symbols)  # cross-entropy of the uniform guess

    def sample(self, batch_size: int, generator: torch.Generator | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        batch_size = check_positive_int("batch_size", batch_size)
        y = torch.randint(self.n_symbols, (batch_size,), generator=generator)
        x = torch.zeros(batch_size, self.length, self.n_symbols)
        x[:, self.length - 1 - self.lag] = F.one_hot(y, self.n_symbols).float()
        return x, y

    def loss(self, predictions: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
        return F.cross_entropy(predictions[:, -1], targets)

    def accuracy(self, predictions: torch.Tensor, targets: torch.Tensor) -> float:
        return (predictions[:, -1].argmax(dim=-1) == targets).float().mean().item()

    def __repr__(self) -> str:
        return f"DelayedRecall(lag={self.lag}, n_symbols={self.n_symbols}, length={self.length})"


class AddingProblem(Task):
    """Add the two marked numbers of a long sequence (after Hochreiter & Schmidhuber, 1997).

    Each step carries two features: a value drawn uniformly from [0, 1], and a marker that is 1
    at exactly two steps and 0 elsewhere. One marked step lies in the first half of the
    sequence and one in the second. The target is the sum of the two marked values, read from
    the prediction at the last step. (The 1997 paper used values in [-1, 1], put the first
    marker within the first ten steps, and scaled the target; the idea is the same.)

    Scoring follows the paper: a sequence counts as solved when the absolute error is below
    ``tolerance = 0.04``. The loss is the mean squared error.

    Chance: a model that ignores the input does best by always answering 1, the mean of the
    sum. Its mean squared error is the variance of the sum of two uniform values, 2/12 = 1/6;
    its accuracy is P(|S - 1| < 0.04) for the triangular sum S, which is 1 - 0.96**2 = 0.0784.

    Shapes:
        ``x``: ``(B, length, 2)``; ``y``: ``(B,)``, float.
    """

    tolerance = 0.04

    def __init__(self, length: int = 100) -> None:
        self.length = check_positive_int("length", length)
        if length < 2:
            raise ValueError(f"length must be at least 2 to hold two markers, got {length}")
        self.input_size = 2
        self.output_size = 1
        self.chance_loss = 1.0 / 6.0
        self.chance = 1.0 - (1.0 - self.tolerance) ** 2

    def sample(self, batch_size: int, generator: torch.Generator | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        batch_size = check_positive_int("batch_size", batch_size)
        half = self.length // 2
        values = torch.rand(batch_size, self.length, generator=generator)
        first = torch.randint(half, (batch_size,), generator=generator)
        second = torch.randint(half, self.length, (batch_size,), generator=generator)
        markers = torch.zeros(batch_size, self.length)
        rows = torch.arange(batch_size)
        markers[rows, first] = 1.0
        markers[rows, second] = 1.0
        y = values[rows, first] + values[rows, second]
        return torch.stack([values, markers], dim=-1), y

    def loss(self, predictions: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
        return F.mse_loss(predictions[:, -1, 0], targets)

    def accuracy(self, predictions: torch.Tensor, targets: torch.Tensor) -> float:
        return ((predictions[:, -1, 0] - targets).abs() < self.tolerance).float().mean().item()

    def __repr__(self) -> str:
        return f"AddingProblem(length={self.length})"


class ContinualRecall(Task):
    """Name the most recent symbol of a stream that never resets (after Gers et al., 2000).

    A symbol, one of ``n_symbols``, arrives as a one-hot vector now and then; every other step
    is blank (all zeros). The first step always brings one; after that, each step brings a new
    symbol with probability ``arrival_probability``, so a symbol is held for about
    ``1 / arrival_probability`` steps on average. At every step the model must name the latest
    symbol to arrive. When a new one arrives, the old one is no longer the answer: a memory that
    can only add, and never erase, fills up with old symbols.

    Scoring: every step is scored, and accuracy is the fraction of steps, over all sequences,
    answered correctly. The loss is the cross-entropy averaged over the same steps.

    Chance: the best blind guess names any one symbol and is right ``1 / n_symbols`` of the
    time. (A model with no memory that reads only the current input does a little better: it
    is also right at the steps where a symbol arrives, about ``arrival_probability`` of them.)

    Args:
        n_symbols: size of the alphabet; chance accuracy is ``1 / n_symbols``.
        length: number of steps of each sampled stream.
        arrival_probability: the chance that a new symbol arrives at a given step after the first.

    Shapes:
        ``x``: ``(B, length, n_symbols)``; ``y``: ``(B, length)``, the latest symbol's index at
        every step (``torch.long``).

    Example:
        >>> task = ContinualRecall(length=6, arrival_probability=0.5)
        >>> x, y = task.sample(2, generator=torch.Generator().manual_seed(0))
        >>> x.shape, y.shape, task.chance
        (torch.Size([2, 6, 4]), torch.Size([2, 6]), 0.25)
    """

    def __init__(self, n_symbols: int = 4, length: int = 100, arrival_probability: float = 0.03) -> None:
        self.n_symbols = check_positive_int("n_symbols", n_symbols)
        if n_symbols < 2:
            raise ValueError(f"n_symbols must be at least 2 for a choice to exist, got {n_symbols}")
        self.length = check_positive_int("length", length)
        if isinstance(arrival_probability, bool) or not isinstance(arrival_probability, (int, float)):
            raise TypeError(
                f"arrival_probability must be a number in (0, 1], got {type(arrival_probability).__name__} "
                f"{arrival_probability!r}"
            )
        if not 0.0 < arrival_probability <= 1.0:
            raise ValueError(f"arrival_probability must be in (0, 1], got {arrival_probability}")
        self.arrival_probability = float(arrival_probability)
        self.input_size = self.output_size = n_symbols
        self.chance = 1.0 / n_symbols
        self.chance_loss = math.log(n_symbols)  # cross-entropy of the uniform guess

    def sample(self, batch_size: int, generator: torch.Generator | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        batch_size = check_positive_int("batch_size", batch_size)
        symbols = torch.randint(self.n_symbols, (batch_size, self.length), generator=generator)
        arrives = torch.rand(batch_size, self.length, generator=generator) < self.arrival_probability
        arrives[:, 0] = True
        x = F.one_hot(symbols, self.n_symbols).float() * arrives.unsqueeze(-1)  # (B, T, n_symbols)
        steps = torch.arange(self.length)
        latest = torch.where(arrives, steps, 0).cummax(dim=1).values  # (B, T): step of the latest arrival
        return x, symbols.gather(1, latest)

    def loss(self, predictions: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
        return F.cross_entropy(predictions.flatten(0, 1), targets.flatten())

    def accuracy(self, predictions: torch.Tensor, targets: torch.Tensor) -> float:
        return (predictions.argmax(dim=-1) == targets).float().mean().item()

    def __repr__(self) -> str:
        return (
            f"ContinualRecall(n_symbols={self.n_symbols}, length={self.length}, "
            f"arrival_probability={self.arrival_probability})"
        )
