r"""Measuring how gradients travel back through time.

Back-propagation through time sends the loss's gradient from the last step to the first. The
gradient with respect to an early hidden state is a product of one Jacobian per step,

.. math::
    \frac{\partial L}{\partial h_t}
    = \frac{\partial L}{\partial h_T} \prod_{k=t+1}^{T} \frac{\partial h_k}{\partial h_{k-1}},

so its norm shrinks or grows roughly geometrically with the distance :math:`T - t`
(Bengio et al., 1994; Pascanu et al., 2013). The functions here measure it in a real network.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from .cells import initial_lstm_state
from .models import LSTM, RNN
from .tasks import Task
from .training import Predictor


@dataclass
class GradientsThroughTime:
    r"""Mean norms of :math:`\partial L / \partial h_t` and :math:`\partial L / \partial c_t` at every step.

    Attributes:
        hidden: shape ``(T,)``; entry ``t`` is the norm of the gradient of one sequence's loss with
            respect to :math:`h_t`, averaged over the batch.
        cell: the same for the LSTM's cell state :math:`c_t`; ``None`` for an RNN.
    """

    hidden: torch.Tensor
    cell: torch.Tensor | None


def gradient_norms_through_time(model: Predictor, task: Task, x: torch.Tensor, y: torch.Tensor) -> GradientsThroughTime:
    """Measure the gradient of each sequence's loss with respect to every hidden (and cell) state.

    The model is unrolled step by step with its cell, so that every state is a tensor autograd
    can report on; the parameters' gradients are left untouched.
    """
    core = model.core
    hidden, cells = _unroll(core, x)
    predictions = model.readout(torch.stack(hidden, dim=1))
    per_sequence_loss = task.loss(predictions, y) * x.shape[0]  # a sum over sequences
    states = hidden + cells
    grads = torch.autograd.grad(per_sequence_loss, states)
    norms = torch.stack([g.norm(dim=1).mean() for g in grads])  # (T,) or (2T,)
    T = len(hidden)
    return GradientsThroughTime(hidden=norms[:T].detach(), cell=norms[T:].detach() if cells else None)


def _unroll(core: RNN | LSTM, x: torch.Tensor) -> tuple[list[torch.Tensor], list[torch.Tensor]]:
    """Run ``core``'s cell over ``x`` one step at a time; return the hidden and cell states."""
    hidden, cells = [], []
    if isinstance(core, RNN):
        h = None
        for x_t in x.unbind(dim=1):
            h = core.cell(x_t, h)
            hidden.append(h)
        return hidden, cells
    h, c = initial_lstm_state(None, x.shape[0], core.hidden_size, like=x)
    for x_t in x.unbind(dim=1):
        h, c = core.cell(x_t, (h, c))
        hidden.append(h)
        cells.append(c)
    return hidden, cells


def spectral_radius(matrix: torch.Tensor) -> float:
    """The largest absolute eigenvalue of a square matrix, e.g. an RNN's ``W_h``."""
    return torch.linalg.eigvals(matrix.detach()).abs().max().item()
