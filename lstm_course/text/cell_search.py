"""Looking for a cell you can watch: the single unit that best follows a feature of the text, and
what a linear probe of all the units finds.

The text is cut into blocks of ``block`` characters, taken in turn for choosing and for scoring:
the best unit is chosen, and the probe fitted, on the even blocks; both are scored on the odd
ones. A unit picked out of hundreds for its correlation would look a little better than it is on
the text it was picked on; on the other blocks it gets no such help.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from ..probes import correlations, probe_accuracy, probe_correlation
from ..validation import check_ids, check_non_negative_number, check_positive_int
from .models import CharModel


@dataclass(frozen=True)
class CellSearch:
    """What :func:`search_cells` found for one feature.

    Attributes:
        state: ``"cell"`` (:math:`c`) or ``"hidden"`` (:math:`h`), where the best unit is.
        unit: the best unit's index in that state.
        correlation: that unit's correlation with the feature on the scoring blocks, with its sign
            (a unit can follow a feature by going down as well as up).
        probe: a ridge probe of all the units, :math:`c` and :math:`h` together: its accuracy on
            the scoring blocks for a yes-or-no feature, its correlation for a number.
        baseline: what a probe that reads nothing scores: the share of the commoner answer for a
            yes-or-no feature, 0 for a number.
    """

    state: str
    unit: int
    correlation: float
    probe: float
    baseline: float


@torch.no_grad()
def search_cells(
    model: CharModel, ids: torch.Tensor, features: dict[str, torch.Tensor], block: int = 500, ridge: float = 1.0
) -> dict[str, CellSearch]:
    """For each feature, the unit of ``model`` that follows it best and what a linear probe reads.

    Args:
        model: an LSTM language model (:meth:`CharModel.lstm`); its states are read from a zero state
            along the whole of ``ids`` with :meth:`CharModel.hidden_states`.
        ids: the text, ``(N,)`` character ids.
        features: name to values ``(N,)``, each for the state after reading that character (for
            example :func:`~lstm_course.text.line_features`); integer values of 0 and 1 are a
            yes-or-no feature, float values a number.
        block: characters per block; the blocks alternate between choosing and scoring.
        ridge: the probe's penalty on its weights (:func:`lstm_course.probes.probe_accuracy`); the
            units are standardised on the choosing blocks first, so it weighs them alike.
    """
    ids = check_ids(ids, minimum=2 * check_positive_int("block", block))
    ridge = check_non_negative_number("ridge", ridge)
    hidden, cell = model.hidden_states(ids[None])
    if cell is None:
        raise TypeError("search_cells needs an LSTM language model (CharModel.lstm): an RNN has no cell state")
    states = {"cell": cell[0].double(), "hidden": hidden[0].double()}  # each (N, H)
    choose = (torch.arange(len(ids)) // block) % 2 == 0
    score = ~choose
    every_unit = torch.cat(list(states.values()), dim=1)  # (N, 2H)
    mean, spread = every_unit[choose].mean(dim=0), every_unit[choose].std(dim=0).clamp(min=1e-12)
    standardised = (every_unit - mean) / spread
    found = {}
    for name, values in features.items():
        values = _check_feature(name, values, len(ids))
        picked = {part: correlations(s[choose], values[choose]).abs() for part, s in states.items()}
        state = max(picked, key=lambda part: picked[part].max().item())
        unit = int(picked[state].argmax())
        correlation = correlations(states[state][score][:, unit : unit + 1], values[score])[0].item()
        if values.is_floating_point():
            probe = probe_correlation(standardised[choose], values[choose], standardised[score], values[score], ridge)
            baseline = 0.0
        else:
            probe = probe_accuracy(standardised[choose], values[choose], standardised[score], values[score], 2, ridge)
            share = values[score].double().mean().item()
            baseline = max(share, 1 - share)
        found[name] = CellSearch(state, unit, correlation, probe, baseline)
    return found


def _check_feature(name: str, values: object, length: int) -> torch.Tensor:
    """Return ``values`` if it is ``(length,)``, float or of 0s and 1s; raise otherwise."""
    if not isinstance(values, torch.Tensor) or values.shape != (length,):
        given = tuple(values.shape) if isinstance(values, torch.Tensor) else type(values).__name__
        raise ValueError(f"feature {name!r} must have one value per character, shape ({length},), got {given}")
    if not values.is_floating_point() and not ((values == 0) | (values == 1)).all():
        raise ValueError(f"feature {name!r} must be floats (a number) or 0s and 1s (yes or no)")
    return values if values.is_floating_point() else values.long()
