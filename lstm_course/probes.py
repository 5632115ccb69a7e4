"""Reading what a network's states hold: how much of each unit's variance a label explains."""

from __future__ import annotations

import torch

from .validation import check_float_tensor


def variance_share(values: torch.Tensor, labels: torch.Tensor, n_labels: int) -> torch.Tensor:
    """The share of each column's variance that the labels explain, between 0 and 1.

    For every column of ``values`` (a unit's state across sequences), the variance of the label
    groups' means around the overall mean, each group weighted by its size, divided by the total
    variance: 1 when the label alone sets the unit's value, near 0 when the unit ignores it. This is
    the statistic called eta squared in the analysis of variance.

    Args:
        values: ``(N, H)``, one row per sequence.
        labels: ``(N,)``, each row's label, an int in ``[0, n_labels)``.
        n_labels: how many labels there are.

    Returns:
        ``(H,)``: the share for every column.

    Example:
        >>> labels = torch.tensor([0, 0, 1, 1])
        >>> values = torch.tensor([[1.0, 1.0], [1.0, -1.0], [3.0, 1.0], [3.0, -1.0]])
        >>> variance_share(values, labels, n_labels=2)
        tensor([1., 0.])
    """
    values = check_float_tensor("values", values)
    if values.dim() != 2 or labels.shape != values.shape[:1]:
        raise ValueError(f"values must be (N, H) and labels (N,), got {tuple(values.shape)} and {tuple(labels.shape)}")
    counts = torch.bincount(labels, minlength=n_labels).to(values.dtype)  # (n_labels,)
    sums = torch.zeros(n_labels, values.shape[1], dtype=values.dtype).index_add_(0, labels, values)
    means = sums / counts.clamp(min=1)[:, None]  # (n_labels, H)
    between = (counts[:, None] * (means - values.mean(dim=0)) ** 2).sum(dim=0) / len(values)
    return between / values.var(dim=0, correction=0)
