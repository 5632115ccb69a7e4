"""Reading what a network's states hold: how much of each unit's variance a label explains, how
closely each unit follows a quantity, and what a linear read of all the units finds."""

from __future__ import annotations

import torch

from .validation import check_float_tensor, check_non_negative_number


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


def correlations(values: torch.Tensor, quantity: torch.Tensor) -> torch.Tensor:
    """The Pearson correlation of each column of ``values`` ``(N, H)`` with ``quantity`` ``(N,)``: ``(H,)``.

    Between -1 and 1; a column that never changes (or a constant quantity) has correlation 0.

    Example:
        >>> r = correlations(torch.tensor([[0.0, 1.0], [1.0, 0.0], [2.0, 1.0]]), torch.tensor([0.0, 1.0, 2.0]))
        >>> r.round(decimals=6).tolist()
        [1.0, 0.0]
    """
    values = check_float_tensor("values", values).double()
    if values.dim() != 2 or not isinstance(quantity, torch.Tensor) or quantity.shape != values.shape[:1]:
        given = tuple(quantity.shape) if isinstance(quantity, torch.Tensor) else type(quantity).__name__
        raise ValueError(f"values must be (N, H) and quantity (N,), got {tuple(values.shape)} and {given}")
    centred = values - values.mean(dim=0)  # (N, H)
    target = quantity.double() - quantity.double().mean()  # (N,)
    spread = centred.norm(dim=0) * target.norm()  # (H,)
    return torch.where(spread > 0, (centred * target[:, None]).sum(dim=0) / spread.clamp(min=1e-300), 0.0)


def probe_accuracy(
    fit_values: torch.Tensor,
    fit_labels: torch.Tensor,
    values: torch.Tensor,
    labels: torch.Tensor,
    n_labels: int,
    ridge: float = 0.0,
) -> float:
    r"""How well a linear read of the states names the labels, fitted on one set and scored on another.

    A linear probe: the weights :math:`W` and bias :math:`b` that map each row of ``fit_values`` to
    its label's one-hot vector with the least squared error (closed form, no training loop), then
    the share of the rows of ``values`` whose largest entry of :math:`W v + b` is their label. A
    high score means the label can be read from the states by one linear map; near the chance
    level, it cannot.

    With many columns and few rows, least squares fits the noise of the rows it sees and scores
    worse on the others. ``ridge`` :math:`\lambda > 0` adds :math:`\lambda \lVert W \rVert^2` to
    the squared error (the bias is not penalised), which keeps the weights small; the columns
    should then be on comparable scales.

    Args:
        fit_values: ``(N, H)``, the states the probe is fitted on.
        fit_labels: ``(N,)``, their labels, ints in ``[0, n_labels)``.
        values: ``(M, H)``, other states, the ones the probe is scored on.
        labels: ``(M,)``, their labels.
        n_labels: how many labels there are.
        ridge: the weight of the penalty on :math:`W`; 0, the default, is plain least squares.

    Returns:
        The accuracy on ``values``, between 0 and 1.

    Example:
        >>> fit = torch.tensor([[0.0], [1.0], [0.1], [0.9]])
        >>> probe_accuracy(fit, torch.tensor([0, 1, 0, 1]), torch.tensor([[0.2], [0.7]]),
        ...                torch.tensor([0, 1]), n_labels=2)
        1.0
    """
    fit_values, values = _check_fit_and_score("labels", fit_values, fit_labels, values, labels)
    targets = torch.nn.functional.one_hot(fit_labels, n_labels).double()  # (N, n_labels)
    weights = _least_squares(fit_values, targets, ridge)  # (H + 1, n_labels)
    predicted = (_with_bias(values) @ weights).argmax(dim=1)  # (M,)
    return (predicted == labels).double().mean().item()


def probe_correlation(
    fit_values: torch.Tensor,
    fit_quantity: torch.Tensor,
    values: torch.Tensor,
    quantity: torch.Tensor,
    ridge: float = 0.0,
) -> float:
    """How well a linear read of the states follows a quantity, fitted on one set and scored on another.

    The probe of :func:`probe_accuracy` for a number instead of a label: the linear map with the
    least squared error from each row of ``fit_values`` to its value of ``fit_quantity`` (plus
    ``ridge`` times the squared weights), scored by the Pearson correlation between its predictions
    for ``values`` and their ``quantity``: 1 if it follows the quantity exactly (up to scale and
    offset), near 0 if it knows nothing of it.

    Example:
        >>> fit = torch.tensor([[0.0, 1.0], [1.0, 0.0], [2.0, 1.0], [3.0, 0.0]])
        >>> r = probe_correlation(fit, torch.tensor([0.0, 2.0, 4.0, 6.0]),
        ...                       torch.tensor([[5.0, 1.0], [1.0, 1.0]]), torch.tensor([10.0, 2.0]))
        >>> round(r, 6)
        1.0
    """
    fit_values, values = _check_fit_and_score("quantity", fit_values, fit_quantity, values, quantity)
    weights = _least_squares(fit_values, fit_quantity.double()[:, None], ridge)  # (H + 1, 1)
    predicted = _with_bias(values) @ weights  # (M, 1)
    return correlations(predicted, quantity)[0].item()


def _check_fit_and_score(
    name: str, fit_values: object, fit_targets: object, values: object, targets: object
) -> tuple[torch.Tensor, torch.Tensor]:
    """The two sets of states, checked: ``(N, H)`` and ``(M, H)``, with one target per row."""
    fit_values, values = check_float_tensor("fit_values", fit_values), check_float_tensor("values", values)
    if fit_values.dim() != 2 or not isinstance(fit_targets, torch.Tensor) or fit_targets.shape != fit_values.shape[:1]:
        given = tuple(fit_targets.shape) if isinstance(fit_targets, torch.Tensor) else type(fit_targets).__name__
        raise ValueError(f"fit_values must be (N, H) and fit_{name} (N,), got {tuple(fit_values.shape)} and {given}")
    if values.shape[1:] != fit_values.shape[1:] or not isinstance(targets, torch.Tensor) or targets.shape != values.shape[:1]:
        given = tuple(targets.shape) if isinstance(targets, torch.Tensor) else type(targets).__name__
        raise ValueError(
            f"values must be (M, {fit_values.shape[1]}) and {name} (M,), got {tuple(values.shape)} and {given}"
        )
    return fit_values, values


def _with_bias(states: torch.Tensor) -> torch.Tensor:
    """``states`` ``(N, H)`` in float64 with a column of ones appended, for the probe's bias: ``(N, H + 1)``."""
    return torch.cat([states.double(), torch.ones(len(states), 1, dtype=torch.float64)], dim=1)


def _least_squares(states: torch.Tensor, targets: torch.Tensor, ridge: float) -> torch.Tensor:
    """The weights ``(H + 1, K)``, bias last, that map ``states`` ``(N, H)`` to ``targets`` ``(N, K)``
    with the least squared error plus ``ridge`` times the squared weights (the bias is not penalised)."""
    ridge = check_non_negative_number("ridge", ridge)
    rows, width = _with_bias(states), states.shape[1]
    if ridge > 0:  # extra rows sqrt(ridge) * I with targets 0 add ridge * |W|^2 to the squared error
        penalty = torch.cat([ridge**0.5 * torch.eye(width, dtype=torch.float64), torch.zeros(width, 1)], dim=1)
        rows = torch.cat([rows, penalty])
        targets = torch.cat([targets, torch.zeros(width, targets.shape[1], dtype=torch.float64)])
    return torch.linalg.lstsq(rows, targets).solution
