"""Recall one symbol at the end of a sequence: after a delay (chapters 1-4), or among distractors (chapter 5)."""

from __future__ import annotations

import torch
from torch.nn import functional as F

from ..validation import check_bool, check_length, check_positive_int
from .task import SymbolTask


class RecallAtTheEnd(SymbolTask[torch.Tensor]):
    """A symbol task answered once, at the last step: only the prediction there is scored.

    The targets ``y`` are ``(B,)``, each sequence's symbol index (``torch.long``). The loss is the
    cross-entropy of the last step's prediction; the accuracy, the fraction of sequences whose
    last-step prediction names the symbol.
    """

    def loss(self, predictions: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
        return F.cross_entropy(predictions[:, -1], targets)

    def accuracy(self, predictions: torch.Tensor, targets: torch.Tensor) -> float:
        return (predictions[:, -1].argmax(dim=-1) == targets).float().mean().item()


class DelayedRecall(RecallAtTheEnd):
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
        length = lag + 1 if length is None else check_positive_int("length", length)
        if self.lag > length - 1:
            raise ValueError(f"lag must be shorter than the sequence: lag <= length - 1 = {length - 1}, got lag={lag}")
        super().__init__(n_symbols, length)

    def sample(self, batch_size: int, generator: torch.Generator | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        batch_size = check_positive_int("batch_size", batch_size)
        y = torch.randint(self.n_symbols, (batch_size,), generator=generator)
        x = torch.zeros(batch_size, self.length, self.n_symbols)
        x[:, self.length - 1 - self.lag] = F.one_hot(y, self.n_symbols).float()
        return x, y

    def __repr__(self) -> str:
        return f"DelayedRecall(lag={self.lag}, n_symbols={self.n_symbols}, length={self.length})"


class MarkedRecall(RecallAtTheEnd):
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

    With ``distractors=False`` every unmarked step is blank (all symbol features 0): the same
    lags with nothing to keep out, the control that tells a memory that cannot hold on from one
    that cannot filter.

    Args:
        n_symbols: size of the alphabet; chance accuracy is ``1 / n_symbols``.
        length: number of steps; the marked step lies in the first ``length // 2``, so at least
            ``length - length // 2`` steps of distractors follow it.
        distractors: whether the unmarked steps show symbols (the task) or nothing (the control).

    Shapes:
        ``x``: ``(B, length, n_symbols + 1)``, the one-hot symbol then the marker;
        ``y``: ``(B,)``, the marked symbol's index (``torch.long``).

    Example:
        >>> task = MarkedRecall(n_symbols=3, length=6)
        >>> x, y = task.sample(2, generator=torch.Generator().manual_seed(0))
        >>> x.shape, y.shape, task.chance
        (torch.Size([2, 6, 4]), torch.Size([2]), 0.3333333333333333)
    """

    def __init__(self, n_symbols: int = 8, length: int = 30, distractors: bool = True) -> None:
        length = check_length(length, 2, "so that a marked step has a first half")
        super().__init__(n_symbols, length, extra_inputs=1)  # the marker
        self.distractors = check_bool("distractors", distractors)

    def sample(self, batch_size: int, generator: torch.Generator | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        batch_size = check_positive_int("batch_size", batch_size)
        symbols = torch.randint(self.n_symbols, (batch_size, self.length), generator=generator)
        marked = torch.randint(self.length // 2, (batch_size,), generator=generator)  # (B,)
        rows = torch.arange(batch_size)
        marker = torch.zeros(batch_size, self.length, 1)
        marker[rows, marked] = 1.0
        shown = F.one_hot(symbols, self.n_symbols).float()  # (B, T, n_symbols)
        if not self.distractors:
            shown = shown * marker  # only the marked step shows its symbol
        x = torch.cat([shown, marker], dim=-1)  # (B, T, n_symbols + 1)
        return x, symbols[rows, marked]

    def __repr__(self) -> str:
        blanks = "" if self.distractors else ", distractors=False"
        return f"MarkedRecall(n_symbols={self.n_symbols}, length={self.length}{blanks})"
