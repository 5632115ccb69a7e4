r"""Several independent RNN predictors side by side in one module, so that a sweep over seeds trains as one computation.

A claim about a recurrent network should hold for more than one random seed, so the chapters
train the same small RNN many times. A single small RNN keeps the processor mostly waiting: each
step is a ``(64, 32) x (32, 32)`` matrix product, and the time goes into the bookkeeping around
it. :class:`ParallelRNNs` holds ``N`` RNN predictors, its *members*, with their weights stacked
along a leading dimension, and steps them together with batched matrix products
(:class:`lstm_course.kernels.ParallelRNNSequence`). The members stay independent: each has its
own weights, batches, loss and gradient. (Not to be confused with a multi-layer "stacked" RNN,
where each layer feeds the next.) :func:`lstm_course.training.train_together` trains them as
:func:`lstm_course.training.train` would train each one alone, to float rounding, only faster.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

from .kernels import ParallelRNNSequence
from .models import RNN
from .predictor import Predictor


class ParallelRNNs(nn.Module):
    """``N`` RNN predictors with their weights stacked along a leading member dimension.

    Built from a list of :class:`~lstm_course.Predictor` models with :class:`~lstm_course.RNN`
    cores of one size; it copies their weights, and :meth:`copy_to` writes the trained weights
    back. The forward and backward passes are :class:`lstm_course.kernels.ParallelRNNSequence`.

    Attributes:
        W_x: ``(N, H, I)``; W_h: ``(N, H, H)``; b: ``(N, H)``: the members' RNN weights.
        W_y: ``(N, O, H)``; b_y: ``(N, O)``: the members' readouts.

    Shapes:
        ``x``: ``(N, B, T, I)``, one batch per member; returns predictions ``(N, B, T, O)``.
    """

    def __init__(self, models: Sequence[Predictor]) -> None:
        super().__init__()
        _check_models(models)

        def stacked(get) -> nn.Parameter:
            return nn.Parameter(torch.stack([get(model).detach().clone() for model in models]))

        self.W_x = stacked(lambda model: model.core.cell.W_x)
        self.W_h = stacked(lambda model: model.core.cell.W_h)
        self.b = stacked(lambda model: model.core.cell.b)
        self.W_y = stacked(lambda model: model.readout.weight)
        self.b_y = stacked(lambda model: model.readout.bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        N, H, I = self.W_x.shape
        if not isinstance(x, torch.Tensor) or x.dim() != 4 or x.shape[0] != N or x.shape[3] != I:
            shape = tuple(x.shape) if isinstance(x, torch.Tensor) else type(x).__name__
            raise ValueError(f"x must have shape (members, batch, time, features) = ({N}, B, T, {I}), got {shape}")
        out = ParallelRNNSequence.apply(x, self.W_x, self.b, self.W_h, self.W_y, self.b_y)  # (N, T, B, O)
        return out.transpose(1, 2)  # (N, B, T, O)

    def clip_each_gradient(self, clip: float | None) -> torch.Tensor:
        """Each member's gradient norm ``(N,)``, before clipping; then rescale each gradient whose norm exceeds ``clip``.

        Each member is clipped by its own norm, as ``torch.nn.utils.clip_grad_norm_`` clips one model.
        """
        grad_norm = torch.stack([p.grad.flatten(1).norm(dim=1) for p in self.parameters()]).norm(dim=0)
        if clip is not None:
            scale = (clip / (grad_norm + 1e-6)).clamp(max=1.0)  # as torch.nn.utils.clip_grad_norm_
            for p in self.parameters():
                p.grad.mul_(scale.view(-1, *[1] * (p.dim() - 1)))
        return grad_norm

    @torch.no_grad()
    def copy_to(self, models: Sequence[Predictor]) -> None:
        """Write member ``k``'s weights into ``models[k]``."""
        _check_models(models)
        if len(models) != self.W_h.shape[0]:
            raise ValueError(f"models must hold one model per member ({self.W_h.shape[0]}), got {len(models)}")
        for k, model in enumerate(models):
            model.core.cell.W_x.copy_(self.W_x[k])
            model.core.cell.W_h.copy_(self.W_h[k])
            model.core.cell.b.copy_(self.b[k])
            model.readout.weight.copy_(self.W_y[k])
            model.readout.bias.copy_(self.b_y[k])


def _check_models(models: object) -> None:
    """Check that ``models`` is a non-empty sequence of RNN predictors of one size."""
    if not isinstance(models, Sequence) or not models:
        raise TypeError(f"models must be a non-empty list of Predictor models, got {models!r}")
    for model in models:
        if not isinstance(model, Predictor) or not isinstance(model.core, RNN):
            core = type(getattr(model, "core", None)).__name__
            raise TypeError(f"models must be Predictors with an RNN core, got {type(model).__name__} (core {core})")
    sizes = {(m.core.input_size, m.core.hidden_size, m.readout.out_features) for m in models}
    if len(sizes) > 1:
        raise ValueError(f"models must all have the same (input_size, hidden_size, output_size), got {sorted(sizes)}")
