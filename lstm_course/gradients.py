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

from .cells import initial_lstm_state, initial_rnn_state
from .gru import GRU
from .models import RNN
from .predictor import TORCH_CORES, Predictor, ScratchCore, check_predictor
from .tasks import Task
from .validation import check_non_negative_int, check_positive_number, check_sequence_input


@dataclass
class GradientsThroughTime:
    r"""Mean norms of :math:`\partial L / \partial h_t` and :math:`\partial L / \partial c_t` at every step.

    Attributes:
        hidden: shape ``(T,)``; entry ``t`` is the norm of the gradient of one sequence's loss with
            respect to :math:`h_t`, averaged over the batch.
        cell: the same for the cell state :math:`c_t` of an LSTM or one of its variants; ``None``
            for an RNN or a GRU, which have none.
    """

    hidden: torch.Tensor
    cell: torch.Tensor | None


def gradient_norms_through_time(model: Predictor, task: Task, x: torch.Tensor, y: object) -> GradientsThroughTime:
    """Measure the gradient of each sequence's loss with respect to every hidden (and cell) state.

    The model is unrolled step by step with its cell, so that every state is a tensor autograd
    can report on; the parameters' gradients are left untouched. A predictor with a ``torch.nn``
    core is measured through its lstm_course copy (:meth:`~lstm_course.Predictor.to_scratch`).
    """
    check_predictor(model)
    if isinstance(model.core, tuple(TORCH_CORES)):
        model = model.to_scratch()
    core = model.core
    x = check_sequence_input(x, core.input_size)
    hidden, cells = _unroll(core, x)
    predictions = model.readout(torch.stack(hidden, dim=1))
    per_sequence_loss = task.loss(predictions, y) * x.shape[0]  # a sum over sequences
    states = hidden + cells
    grads = torch.autograd.grad(per_sequence_loss, states)
    norms = torch.stack([g.norm(dim=1).mean() for g in grads])  # (T,) or (2T,)
    T = len(hidden)
    return GradientsThroughTime(hidden=norms[:T].detach(), cell=norms[T:].detach() if cells else None)


def surviving_fraction(model: Predictor, task: Task, x: torch.Tensor, y: object) -> torch.Tensor:
    r"""How much of the gradient survives each distance back along the memory, relative to the last step.

    Entry ``d`` is :math:`\|\partial L / \partial m_{T-d}\| / \|\partial L / \partial m_T\|`, where the
    memory :math:`m` is the cell state :math:`c` of an LSTM (and of its variants) and the hidden
    state :math:`h` of an RNN or a GRU; shape ``(T,)``, indexed by the distance ``d = T - t``
    (chapter 3).
    """
    measured = gradient_norms_through_time(model, task, x, y)
    lane = measured.hidden if measured.cell is None else measured.cell
    if lane[-1] == 0:
        raise ValueError("the loss has no gradient at the last step, so no fraction of it can survive; "
                         "score the last step (as every task of the course does)")
    return (lane / lane[-1]).flip(0)


def _unroll(core: ScratchCore, x: torch.Tensor) -> tuple[list[torch.Tensor], list[torch.Tensor]]:
    """Run ``core``'s cell over ``x`` one step at a time; return the hidden states and the cell states, if any."""
    hidden, cells = [], []
    input_part = core.cell.input_part(x).unbind(dim=1)  # W_x x_t + b for every step
    if isinstance(core, (RNN, GRU)):
        h = initial_rnn_state("h", None, x.shape[0], core.hidden_size, like=x)
        for input_t in input_part:
            h = core.cell.step(input_t, h)
            h = h[0] if isinstance(core, GRU) else h  # a GRU's step returns (h, gates)
            hidden.append(h)
        return hidden, cells
    h, c = initial_lstm_state(None, x.shape[0], core.hidden_size, like=x)
    for input_t in input_part:
        h, c, _ = core.cell.step(input_t, h, c)
        hidden.append(h)
        cells.append(c)
    return hidden, cells


def spectral_radius(matrix: torch.Tensor) -> float:
    """The largest absolute eigenvalue of a square matrix, e.g. an RNN's ``W_h``."""
    return torch.linalg.eigvals(matrix.detach()).abs().max().item()


def set_spectral_radius(rnn: RNN, radius: float) -> RNN:
    """Rescale the recurrent matrix ``W_h`` of ``rnn`` in place so that its spectral radius is ``radius``.

    Multiplying a matrix by a number multiplies every eigenvalue by it, so the rescaled ``W_h``
    keeps its structure and only its gain changes: the one knob that decides, roughly, whether
    signals and gradients shrink or grow from step to step. Returns ``rnn``.
    """
    if not isinstance(rnn, RNN):
        raise TypeError(f"rnn must be an lstm_course RNN (e.g. model.core), got {type(rnn).__name__}")
    radius = check_positive_number("radius", radius)
    current = spectral_radius(rnn.cell.W_h)
    if current == 0:
        raise ValueError("rnn.cell.W_h has spectral radius 0 (all eigenvalues zero), so it cannot be rescaled")
    with torch.no_grad():
        rnn.cell.W_h.mul_(radius / current)
    return rnn


def gradient_norm_bound(W_h: torch.Tensor, distance: int, derivative_bound: float = 1.0) -> float:
    r"""The bound :math:`(\gamma\, \sigma_{\max}(W_h))^{d}` on how much a gradient can grow over ``distance`` steps.

    One step back multiplies :math:`\partial L / \partial h_t` by the Jacobian
    :math:`\operatorname{diag}(\tanh'(a_t))\, W_h`, whose norm is at most :math:`\gamma\, \sigma_{\max}(W_h)`:
    :math:`\gamma` bounds the derivative of the nonlinearity (1 for tanh) and
    :math:`\sigma_{\max}` is the largest singular value. Over :math:`d` steps the factors multiply,
    so :math:`\|\partial L / \partial h_{T-d}\| \le (\gamma \sigma_{\max})^d \, \|\partial L / \partial h_T\|`
    for a loss read at the last step (Bengio et al., 1994; Pascanu et al., 2013). Below 1, the
    gradient must vanish; above 1 the bound allows growth but does not force it.
    """
    if not isinstance(W_h, torch.Tensor) or W_h.dim() != 2 or W_h.shape[0] != W_h.shape[1]:
        shape = tuple(W_h.shape) if isinstance(W_h, torch.Tensor) else type(W_h).__name__
        raise ValueError(f"W_h must be a square matrix (H, H), got {shape}")
    check_non_negative_int("distance", distance, "a number of steps")
    check_positive_number("derivative_bound", derivative_bound)
    largest_singular_value = torch.linalg.matrix_norm(W_h.detach().double(), ord=2).item()
    return (derivative_bound * largest_singular_value) ** distance


def decay_per_step(norms: torch.Tensor, first: int = 10, last: int | None = None) -> float:
    r"""The factor by which a gradient norm changes per step back in time, fitted on a log scale.

    ``norms`` is in time order, as :func:`gradient_norms_through_time` returns it: entry ``t``
    belongs to step ``t`` and lies ``T - 1 - t`` steps before the last. A straight line is fitted
    by least squares to :math:`\log \|\partial L / \partial h_t\|` against that distance, for the
    distances ``first`` to ``last`` (default: all the way back); the result is
    :math:`e^{\text{slope}}`. Below 1 the gradient vanishes geometrically, above 1 it explodes.
    Skipping the ``first`` nearest steps leaves out the transient where the readout's gradient
    is still settling.
    """
    if not isinstance(norms, torch.Tensor) or norms.dim() != 1:
        raise ValueError(f"norms must be a 1-D tensor of gradient norms in time order, got {norms!r}")
    distance = torch.arange(len(norms) - 1, -1, -1, dtype=torch.float64)
    last = len(norms) - 1 if last is None else last
    chosen = (distance >= first) & (distance <= last) & (norms > 0)
    if chosen.sum() < 2:
        raise ValueError(
            f"need at least two positive norms at distances first={first} to last={last}; "
            f"norms has {len(norms)} entries, {int((norms > 0).sum())} of them positive"
        )
    d, log_norm = distance[chosen], norms[chosen].double().log()
    slope = ((d - d.mean()) * (log_norm - log_norm.mean())).sum() / ((d - d.mean()) ** 2).sum()
    return slope.exp().item()
