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


def probe_accuracy(
    fit_values: torch.Tensor, fit_labels: torch.Tensor, values: torch.Tensor, labels: torch.Tensor, n_labels: int
) -> float:
    """How well a linear read of the states names the labels, fitted on one set and scored on another.

    A linear probe: the weights :math:`W` and bias :math:`b` that map each row of ``fit_values`` to
    its label's one-hot vector with the least squared error (closed form, no training loop), then
    the share of the rows of ``values`` whose largest entry of :math:`W v + b` is their label. A
    high score means the label can be read from the states by one linear map; near the chance
    level, it cannot.

    Args:
        fit_values: ``(N, H)``, the states the probe is fitted on.
        fit_labels: ``(N,)``, their labels, ints in ``[0, n_labels)``.
        values: ``(M, H)``, other states, the ones the probe is scored on.
        labels: ``(M,)``, their labels.
        n_labels: how many labels there are.

    Returns:
        The accuracy on ``values``, between 0 and 1.

    Example:
        >>> fit = torch.tensor([[0.0], [1.0], [0.1], [0.9]])
        >>> probe_accuracy(fit, torch.tensor([0, 1, 0, 1]), torch.tensor([[0.2], [0.7]]),
        ...                torch.tensor([0, 1]), n_labels=2)
        1.0
    """
    fit_values, values = check_float_tensor("fit_values", fit_values), check_float_tensor("values", values)
    if fit_values.dim() != 2 or fit_labels.shape != fit_values.shape[:1]:
        raise ValueError(
            f"fit_values must be (N, H) and fit_labels (N,), got {tuple(fit_values.shape)} and {tuple(fit_labels.shape)}"
        )
    if values.shape[1:] != fit_values.shape[1:] or labels.shape != values.shape[:1]:
        raise ValueError(
            f"values must be (M, {fit_values.shape[1]}) and labels (M,), got {tuple(values.shape)} and {tuple(labels.shape)}"
        )

    def with_bias(states: torch.Tensor) -> torch.Tensor:
        return torch.cat([states, torch.ones(len(states), 1, dtype=states.dtype)], dim=1).double()  # (N, H + 1)

    targets = torch.nn.functional.one_hot(fit_labels, n_labels).double()  # (N, n_labels)
    weights = torch.linalg.lstsq(with_bias(fit_values), targets).solution  # (H + 1, n_labels)
    predicted = (with_bias(values) @ weights).argmax(dim=1)  # (M,)
    return (predicted == labels).double().mean().item()
