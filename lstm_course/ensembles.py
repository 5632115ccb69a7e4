r"""Train several RNNs in one batched computation: a sweep over seeds for the price of a few runs.

A claim about a recurrent network should hold for more than one random seed, so the chapters
train the same small RNN many times. A single small RNN keeps the processor mostly waiting: each
step is a ``(64, 32) x (32, 32)`` matrix product, and the time goes into the bookkeeping around
it. Here ``N`` RNNs (each with its readout, as in :class:`~lstm_course.training.Predictor`) are
stacked along a leading *member* dimension and stepped together with batched matrix products.
Back-propagation through time is written out by hand, as :mod:`lstm_course.bptt` does for the
LSTM. With :math:`\delta h_t` the gradient reaching :math:`h_t` from the readout at step
:math:`t` and from step :math:`t + 1`, and :math:`a_t` the pre-activation:

.. math::
    \delta a_t = (1 - h_t^2) \odot \delta h_t, \qquad
    \delta h_{t-1} = \text{readout gradient at } t - 1 + \delta a_t W_h, \qquad
    \frac{\partial L}{\partial W_h} = \sum_t \delta a_t^\top h_{t-1}.

Nothing about the training changes. Every member starts from the weights of the model it was
built from and sees the batches that ``training.train(model, task, seed=seed)`` would give it.
The members' losses are added before the backward pass, so each member's gradient is its own;
Adam and SGD update every number separately; clipping rescales each member's gradient by that
member's own norm. The tests check that the histories equal ``training.train``'s to float rounding.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn
from torch.autograd.function import once_differentiable
from tqdm.auto import tqdm

from .checks import check_positive_int
from .models import RNN
from .tasks import Task
from .training import History, Predictor, make_optimizer, progress_bars_enabled


class StackedRNNSequence(torch.autograd.Function):
    """Run ``N`` RNN predictors over their batches of sequences from :math:`h_0 = 0`; backward by hand.

    Inputs: ``x`` ``(N, B, T, I)``, one batch per member; the members' weights ``W_x``
    ``(N, H, I)``, ``b`` ``(N, H)``, ``W_h`` ``(N, H, H)`` and readouts ``W_y`` ``(N, O, H)``,
    ``b_y`` ``(N, O)``. Output: the predictions :math:`\\hat y_t = W_y h_t + b_y` at every step,
    ``(N, T, B, O)``.

    Each member's states are stored step after step, ``(N, T, B, H)``, so that every product
    summed over the steps (the input projection, the readout, the weight gradients) is one
    batched matrix product over the members. The readout is inside the function
    so that the backward pass can skip it at the steps the loss does not read (a task scored at
    the last step reads one step in a hundred).
    """

    @staticmethod
    def forward(ctx, x, W_x, b, W_h, W_y, b_y):
        N, B, T, I = x.shape
        x = x.transpose(1, 2).reshape(N, T * B, I)  # each member's steps, one after the other
        hidden = torch.baddbmm(b.unsqueeze(1), x, W_x.transpose(1, 2))  # u_t, then h_t: (N, T*B, H)
        steps = hidden.view(N, T, B, -1).unbind(dim=1)  # T views, each (N, B, H)
        h = steps[0].tanh_()  # h_0 = 0, so h_1 = tanh(u_1)
        W_h_T = W_h.transpose(1, 2)
        for t in range(1, T):
            h = torch.baddbmm(steps[t], h, W_h_T).tanh_()  # (N, B, H), contiguous: faster to step with
            steps[t].copy_(h)
        ctx.save_for_backward(x, hidden, W_h, W_y)
        out = torch.baddbmm(b_y.unsqueeze(1), hidden, W_y.transpose(1, 2))  # (N, T*B, O)
        return out.view(N, T, B, -1)

    @staticmethod
    @once_differentiable
    def backward(ctx, grad_out):
        x, hidden, W_h, W_y = ctx.saved_tensors
        N, T, B, O = grad_out.shape
        read = (grad_out.abs().amax(dim=(0, 2, 3)) > 0).tolist()  # the steps the loss reads
        delta_a = torch.addcmul(hidden.new_ones(()), hidden, hidden, value=-1)  # tanh' = 1 - h_t^2
        delta_steps = delta_a.view(N, T, B, -1).unbind(dim=1)
        delta_h = torch.zeros_like(delta_steps[0])  # (N, B, H), reused at every step
        for t in reversed(range(T)):  # delta_steps[t] becomes tanh'(a_t) * delta_h_t
            if t < T - 1:
                torch.bmm(delta_steps[t + 1], W_h, out=delta_h)  # from step t + 1
            if read[t]:
                delta_h.baddbmm_(grad_out[:, t], W_y)  # from the readout at step t
            delta_steps[t].mul_(delta_h)
        read_steps = [t for t in range(T) if read[t]]
        read_grad = grad_out[:, read_steps].reshape(N, -1, O)  # (N, S*B, O)
        read_hidden = hidden.view(N, T, B, -1)[:, read_steps].reshape(N, len(read_steps) * B, -1)
        grad_W_y = torch.bmm(read_grad.transpose(1, 2), read_hidden)
        # dL/dW_h = sum over t of delta_a_t^T h_{t-1}; the t = 1 term is zero because h_0 = 0
        grad_W_h = torch.bmm(delta_a[:, B:].transpose(1, 2), hidden[:, :-B])
        grad_W_x = torch.bmm(delta_a.transpose(1, 2), x)
        return None, grad_W_x, delta_a.sum(dim=1), grad_W_h, grad_W_y, grad_out.sum(dim=(1, 2))


class RNNEnsemble(nn.Module):
    """``N`` RNN predictors with their weights stacked along a leading member dimension.

    Built from a list of :class:`~lstm_course.training.Predictor` models with
    :class:`~lstm_course.RNN` cores of one size; it copies their weights, and
    :meth:`copy_to` writes the trained weights back.

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
        out = StackedRNNSequence.apply(x, self.W_x, self.b, self.W_h, self.W_y, self.b_y)  # (N, T, B, O)
        return out.transpose(1, 2)  # (N, B, T, O)

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


def rnn_predictors(task: Task, seeds: Sequence[int], hidden_size: int = 32) -> list[Predictor]:
    """One RNN :class:`~lstm_course.training.Predictor` for ``task`` per seed, built after ``torch.manual_seed(seed)``.

    These are the models the chapters build one at a time, so a model trained with
    :func:`train_together` starts exactly where ``training.train`` would start it.
    """
    check_positive_int("hidden_size", hidden_size)
    models = []
    for seed in seeds:
        torch.manual_seed(seed)
        models.append(Predictor(RNN(task.input_size, hidden_size), task.output_size))
    return models


def train_together(
    models: Sequence[Predictor],
    task: Task,
    steps: int,
    seeds: Sequence[int],
    lr: float = 3e-3,
    optimizer: str = "adam",
    clip: float | None = None,
    batch_size: int = 64,
) -> list[History]:
    """Train several RNN predictors at once; the same as ``training.train`` on each, only faster.

    Model ``k`` is trained in place on the batches of ``seeds[k]``, with the same optimiser,
    learning rate, clipping and batch size for all. Returns one
    :class:`~lstm_course.training.History` per model, in order.

    Args:
        models: :class:`~lstm_course.training.Predictor` models with :class:`~lstm_course.RNN`
            cores of one size (seed the weights before building each).
        task: where the batches come from and how they are scored.
        steps: number of gradient steps, one fresh batch per model each.
        seeds: one per model; seeds the sequence of its training batches.
        lr: learning rate.
        optimizer: ``"adam"`` or ``"sgd"`` (with momentum 0.9).
        clip: if given, rescale a model's gradient whenever its norm exceeds ``clip``.
        batch_size: sequences per step and model.
    """
    check_positive_int("steps", steps)
    _check_models(models)
    if len(seeds) != len(models):
        raise ValueError(f"seeds must hold one seed per model ({len(models)}), got {len(seeds)}")
    sizes = (models[0].core.input_size, models[0].readout.out_features)
    if sizes != (task.input_size, task.output_size):
        raise ValueError(
            f"models must match the task's (input_size, output_size) = {(task.input_size, task.output_size)}, "
            f"got {sizes}"
        )
    if clip is not None and not clip > 0:
        raise ValueError(f"clip must be a positive number or None, got {clip!r}")
    ensemble = RNNEnsemble(models)
    optim = make_optimizer(ensemble, optimizer, lr)
    generators = [torch.Generator().manual_seed(seed) for seed in seeds]
    N = len(models)
    losses, accuracies, grad_norms = torch.empty(steps, N), torch.empty(steps, N), torch.empty(steps, N)
    bar = tqdm(range(steps), desc=f"training {N} RNNs", disable=not progress_bars_enabled())
    for step in bar:
        batches = [task.sample(batch_size, generator=generator) for generator in generators]
        predictions = ensemble(torch.stack([x for x, _ in batches]))  # (N, B, T, O)
        loss = torch.stack([task.loss(predictions[k], y) for k, (_, y) in enumerate(batches)])  # (N,)
        optim.zero_grad()
        loss.sum().backward()
        grad_norm = torch.stack([p.grad.flatten(1).norm(dim=1) for p in ensemble.parameters()]).norm(dim=0)
        if clip is not None:
            scale = (clip / (grad_norm + 1e-6)).clamp(max=1.0)  # as torch.nn.utils.clip_grad_norm_
            for p in ensemble.parameters():
                p.grad.mul_(scale.view(-1, *[1] * (p.dim() - 1)))
        optim.step()
        losses[step], grad_norms[step] = loss.detach(), grad_norm
        accuracies[step] = torch.tensor([task.accuracy(predictions[k].detach(), y) for k, (_, y) in enumerate(batches)])
    ensemble.copy_to(models)
    return [
        History(loss=losses[:, k].tolist(), accuracy=accuracies[:, k].tolist(), grad_norm=grad_norms[:, k].tolist())
        for k in range(N)
    ]


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
