"""Hold a symbol silently and name it only when cued: the task of chapter 6."""

from __future__ import annotations

import math
from typing import NamedTuple

import torch
from torch.nn import functional as F

from ..validation import check_length, check_positive_int
from .task import SymbolTask


class CuedTargets(NamedTuple):
    """The targets of :class:`CuedRecall`: the answer at every step, and where the cue is."""

    answers: torch.Tensor  # (B, T), torch.long
    cue: torch.Tensor  # (B,), the index of each sequence's cue step


class CuedRecall(SymbolTask[CuedTargets]):
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
        length = check_length(length, 3, "so that a distractor can come before the cue")
        super().__init__(n_symbols, length, extra_inputs=1)  # the cue
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
