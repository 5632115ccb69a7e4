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
from typing import NamedTuple

import torch
from torch.nn import functional as F

from .checks import check_positive_int


def check_n_symbols(n_symbols: object) -> int:
    """Return ``n_symbols`` if it is an int of at least 2, the smallest alphabet with a choice in it."""
    n_symbols = check_positive_int("n_symbols", n_symbols)
    if n_symbols < 2:
        raise ValueError(f"n_symbols must be at least 2 for a choice to exist, got {n_symbols}")
    return n_symbols


def check_length(length: object, minimum: int, reason: str) -> int:
    """Return ``length`` if it is an int of at least ``minimum``; the error message gives ``reason``."""
    length = check_positive_int("length", length)
    if length < minimum:
        raise ValueError(f"length must be at least {minimum}, {reason}, got {length}")
    return length


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
        self.n_symbols = check_n_symbols(n_symbols)
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
        self.n_symbols = check_n_symbols(n_symbols)
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


class MarkedRecall(Task):
    """Name the one marked symbol of a sequence full of distractors.

    Every step shows a random symbol, one of ``n_symbols``, as a one-hot vector, plus a marker
    feature. The marker is 1 at exactly one step, drawn uniformly from the first half of the
    sequence, and 0 elsewhere. At the last step the model must name the symbol shown at the
    marked step. All the other symbols are distractors: a memory that writes whatever arrives
    ends up full of them, so the model must write at the marker and nowhere else. This is the
    task of chapter 5, where the LSTM's input gate learns to open at the marker.

    Scoring: the answer is read from the prediction at the last step; the loss is its
    cross-entropy. Chance: the best blind guess names any one symbol and is right
    ``1 / n_symbols`` of the time.

    Args:
        n_symbols: size of the alphabet; chance accuracy is ``1 / n_symbols``.
        length: number of steps; the marked step lies in the first ``length // 2``, so at least
            ``length - length // 2`` steps of distractors follow it.

    Shapes:
        ``x``: ``(B, length, n_symbols + 1)``, the one-hot symbol then the marker;
        ``y``: ``(B,)``, the marked symbol's index (``torch.long``).

    Example:
        >>> task = MarkedRecall(n_symbols=3, length=6)
        >>> x, y = task.sample(2, generator=torch.Generator().manual_seed(0))
        >>> x.shape, y.shape, task.chance
        (torch.Size([2, 6, 4]), torch.Size([2]), 0.3333333333333333)
    """

    def __init__(self, n_symbols: int = 8, length: int = 30) -> None:
        self.n_symbols = check_n_symbols(n_symbols)
        self.length = check_length(length, 2, "so that a marked step has a first half")
        self.input_size = n_symbols + 1
        self.output_size = n_symbols
        self.chance = 1.0 / n_symbols
        self.chance_loss = math.log(n_symbols)  # cross-entropy of the uniform guess

    def sample(self, batch_size: int, generator: torch.Generator | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        batch_size = check_positive_int("batch_size", batch_size)
        symbols = torch.randint(self.n_symbols, (batch_size, self.length), generator=generator)
        marked = torch.randint(self.length // 2, (batch_size,), generator=generator)  # (B,)
        rows = torch.arange(batch_size)
        marker = torch.zeros(batch_size, self.length, 1)
        marker[rows, marked] = 1.0
        x = torch.cat([F.one_hot(symbols, self.n_symbols).float(), marker], dim=-1)  # (B, T, n_symbols + 1)
        return x, symbols[rows, marked]

    # scored as delayed recall is: the symbol named at the last step
    loss = DelayedRecall.loss
    accuracy = DelayedRecall.accuracy

    def __repr__(self) -> str:
        return f"MarkedRecall(n_symbols={self.n_symbols}, length={self.length})"


class CuedTargets(NamedTuple):
    """The targets of :class:`CuedRecall`: the answer at every step, and where the cue is."""

    answers: torch.Tensor  # (B, T), torch.long
    cue: torch.Tensor  # (B,), the index of each sequence's cue step


class CuedRecall(Task):
    """Hold a symbol silently while naming every input, and name the held symbol only when cued.

    The first step shows the symbol to remember, one of ``n_symbols``, as a one-hot vector. Every
    later step shows a fresh random symbol (a distractor), and at every step the model must name
    the symbol it sees now: the memory must not leak into these answers. At one step, drawn
    uniformly from the second half of the sequence, no symbol comes; a cue feature is 1 instead,
    and there the model must name the symbol of the first step. This is the task of chapter 6: a
    memory that is held all along but needed at one step only, the situation the LSTM's output
    gate is for.

    Scoring: accuracy is the fraction of sequences whose cue step is answered correctly (the
    memory). The loss adds the cross-entropy at the cue step and the mean cross-entropy over the
    other steps, so that naming the inputs and recalling the symbol count equally;
    :meth:`echo_accuracy` scores the other steps. Chance: the best blind guess names any one
    symbol at the cue and is right ``1 / n_symbols`` of the time; its loss, ``chance_loss``, is
    ``2 log n_symbols`` (the uniform guess, at the cue and at the other steps).

    Args:
        n_symbols: size of the alphabet; chance accuracy is ``1 / n_symbols``.
        length: number of steps; the cue lies in the last ``length - length // 2`` of them.

    Shapes:
        ``x``: ``(B, length, n_symbols + 1)``, the one-hot symbol then the cue feature.
        The targets are a :class:`CuedTargets`: ``answers`` ``(B, length)``, the symbol to name at
        every step (``torch.long``), and ``cue`` ``(B,)``, the index of the cue step.

    Example:
        >>> task = CuedRecall(length=6)
        >>> x, targets = task.sample(2, generator=torch.Generator().manual_seed(0))
        >>> x.shape, targets.answers.shape, targets.cue.shape, task.chance
        (torch.Size([2, 6, 5]), torch.Size([2, 6]), torch.Size([2]), 0.25)
    """

    def __init__(self, n_symbols: int = 4, length: int = 30) -> None:
        self.n_symbols = check_n_symbols(n_symbols)
        self.length = check_length(length, 3, "so that a distractor can come before the cue")
        self.input_size = n_symbols + 1
        self.output_size = n_symbols
        self.chance = 1.0 / n_symbols
        self.chance_loss = 2 * math.log(n_symbols)  # the uniform guess, at the cue and at the other steps

    def sample(self, batch_size: int, generator: torch.Generator | None = None) -> tuple[torch.Tensor, CuedTargets]:
        batch_size = check_positive_int("batch_size", batch_size)
        answers = torch.randint(self.n_symbols, (batch_size, self.length), generator=generator)  # what is shown
        cue = torch.randint(self.length // 2, self.length, (batch_size,), generator=generator)  # (B,)
        rows = torch.arange(batch_size)
        x = F.one_hot(answers, self.n_symbols + 1).float()  # (B, T, n_symbols + 1), cue feature 0
        x[rows, cue] = F.one_hot(torch.tensor(self.n_symbols), self.n_symbols + 1).float()  # the cue alone
        answers[rows, cue] = answers[:, 0].clone()  # at the cue: the symbol of the first step
        return x, CuedTargets(answers, cue)

    def loss(self, predictions: torch.Tensor, targets: CuedTargets) -> torch.Tensor:
        answers, cue = targets
        losses = F.cross_entropy(predictions.transpose(1, 2), answers, reduction="none")  # (B, T)
        at_cue = F.one_hot(cue, self.length).bool()  # (B, T)
        return losses[at_cue].mean() + losses[~at_cue].mean()

    def accuracy(self, predictions: torch.Tensor, targets: CuedTargets) -> float:
        answers, cue = targets
        rows = torch.arange(len(cue))
        return (predictions[rows, cue].argmax(dim=-1) == answers[rows, cue]).float().mean().item()

    def echo_accuracy(self, predictions: torch.Tensor, targets: CuedTargets) -> float:
        """The fraction of the steps other than the cue at which the model names the symbol shown."""
        answers, cue = targets
        right = predictions.argmax(dim=-1) == answers  # (B, T)
        return right[~F.one_hot(cue, self.length).bool()].float().mean().item()

    def __repr__(self) -> str:
        return f"CuedRecall(n_symbols={self.n_symbols}, length={self.length})"
