"""What every task has: how to sample it, how to score it, and what chance scores."""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from typing import Generic, TypeVar

import torch

from ..validation import check_n_symbols

Targets = TypeVar("Targets")
"""What a task's targets are: a tensor for most tasks, a :class:`~lstm_course.tasks.CuedTargets` for one."""


class Task(ABC, Generic[Targets]):
    """A sequence task: how to sample it, how to score it, and what chance scores.

    Attributes:
        input_size: features per step of the inputs ``x``.
        output_size: features per step of the predictions the task scores.
        length: number of steps of each sequence.
        chance: the accuracy of the best guess that does not look at the input.
        chance_loss: the loss of that blind guess.
    """

    input_size: int
    output_size: int
    length: int
    chance: float
    chance_loss: float

    @abstractmethod
    def sample(self, batch_size: int, generator: torch.Generator | None = None) -> tuple[torch.Tensor, Targets]:
        """Draw ``(x, targets)``: inputs ``(batch_size, length, input_size)`` and what the model must answer."""

    @abstractmethod
    def loss(self, predictions: torch.Tensor, targets: Targets) -> torch.Tensor:
        """The training loss, averaged over the batch, of predictions ``(B, T, output_size)``."""

    @abstractmethod
    def accuracy(self, predictions: torch.Tensor, targets: Targets) -> float:
        """The fraction of sequences (or steps) answered correctly."""


class SymbolTask(Task[Targets]):
    """A task whose answers name one of ``n_symbols`` symbols, scored by cross-entropy.

    Each step's input is a one-hot symbol (all zeros when no symbol comes), followed by
    ``extra_inputs`` features such as a marker or a cue. Chance: the best blind guess names any one
    symbol and is right ``1 / n_symbols`` of the time; its loss is the cross-entropy of the uniform
    guess, ``log n_symbols``.
    """

    def __init__(self, n_symbols: int, length: int, extra_inputs: int = 0) -> None:
        self.n_symbols = check_n_symbols(n_symbols)
        self.length = length
        self.input_size = n_symbols + extra_inputs
        self.output_size = n_symbols
        self.chance = 1.0 / n_symbols
        self.chance_loss = math.log(n_symbols)
