"""The adding problem of Hochreiter and Schmidhuber (1997): chapters 2 and 7."""

from __future__ import annotations

import torch
from torch.nn import functional as F

from ..validation import check_length, check_positive_int
from .task import Task


class AddingProblem(Task[torch.Tensor]):
    """Add the two marked numbers of a long sequence (after Hochreiter & Schmidhuber, 1997).

    Each step carries two features: a value drawn uniformly from [0, 1], and a marker that is 1
    at exactly two steps and 0 elsewhere. One marked step lies in the first half of the
    sequence and one in the second. The target is the sum of the two marked values, read from
    the prediction at the last step. (The 1997 paper used values in [-1, 1], put the first
    marker within the first ten steps, and scaled the target; the idea is the same.)

    Scoring follows the paper: a sequence counts as answered when the absolute error is below
    ``tolerance = 0.04``, and ``accuracy`` is the fraction of sequences answered. The loss is the
    mean squared error. :meth:`solved` says whether a model has solved the task as a whole.

    Chance: a model that ignores the input does best by always answering 1, the mean of the
    sum. Its mean squared error is the variance of the sum of two uniform values, 2/12 = 1/6;
    its accuracy is P(|S - 1| < 0.04) for the triangular sum S, which is 1 - 0.96**2 = 0.0784.

    Args:
        length: number of steps :math:`T`; the first marker lies in the first ``length // 2``.

    Shapes:
        ``x``: ``(B, length, 2)``, the value then the marker; ``y``: ``(B,)``, the sum (float).

    Example:
        >>> task = AddingProblem(length=10)
        >>> x, y = task.sample(3, generator=torch.Generator().manual_seed(0))
        >>> x.shape, y.shape, x[..., 1].sum(dim=1).tolist()
        (torch.Size([3, 10, 2]), torch.Size([3]), [2.0, 2.0, 2.0])
    """

    tolerance = 0.04

    def __init__(self, length: int = 100) -> None:
        self.length = check_length(length, 2, "to hold two markers")
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

    def solved(self, predictions: torch.Tensor, targets: torch.Tensor) -> bool:
        """Whether these predictions solve the task: the rule chapter 7 and its tests apply.

        Three conditions, on held-out sequences: the mean squared error is below 2% of chance;
        more than three quarters of the sums are within ``tolerance``; fewer than 2% are off by
        twice the tolerance or more. A model that meets them has learned to add, not to guess.
        """
        error = (predictions[:, -1, 0] - targets).abs()  # (B,)
        return bool(
            error.square().mean() < 0.02 * self.chance_loss
            and (error < self.tolerance).float().mean() > 0.75
            and (error >= 2 * self.tolerance).float().mean() < 0.02
        )

    def __repr__(self) -> str:
        return f"AddingProblem(length={self.length})"
