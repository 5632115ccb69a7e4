"""A stream that never resets, where each new symbol replaces the last: the task of chapter 4."""

from __future__ import annotations

import torch
from torch.nn import functional as F

from ..validation import check_positive_int, check_probability
from .task import SymbolTask


class ContinualRecall(SymbolTask[torch.Tensor]):
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
        super().__init__(n_symbols, check_positive_int("length", length))
        self.arrival_probability = check_probability("arrival_probability", arrival_probability)

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
