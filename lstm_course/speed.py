"""Timing a training step, and the textbook LSTM that the course's fused one is measured against.

``benchmarks/speed.py`` prints these timings at the sizes of the course's experiments;
chapter 9 runs them at a small size on the reader's own machine.
"""

from __future__ import annotations

import statistics
import time
from collections import Counter
from collections.abc import Callable

import torch
from torch import nn
from torch.utils._python_dispatch import TorchDispatchMode


class TextbookLSTM(nn.Module):
    """The LSTM as tutorials usually write it: one ``nn.Linear`` per gate for x and for h, every step."""

    def __init__(self, input_size: int, hidden_size: int) -> None:
        super().__init__()
        self.hidden_size = hidden_size
        self.from_x = nn.ModuleDict({g: nn.Linear(input_size, hidden_size) for g in "ifgo"})
        self.from_h = nn.ModuleDict({g: nn.Linear(hidden_size, hidden_size, bias=False) for g in "ifgo"})

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = c = x.new_zeros(x.shape[0], self.hidden_size)
        hidden = []
        for t in range(x.shape[1]):
            x_t = x[:, t]
            i = torch.sigmoid(self.from_x["i"](x_t) + self.from_h["i"](h))
            f = torch.sigmoid(self.from_x["f"](x_t) + self.from_h["f"](h))
            g = torch.tanh(self.from_x["g"](x_t) + self.from_h["g"](h))
            o = torch.sigmoid(self.from_x["o"](x_t) + self.from_h["o"](h))
            c = f * c + i * g
            h = o * torch.tanh(c)
            hidden.append(h)
        return torch.stack(hidden, dim=1)


def training_step(model: nn.Module, x: torch.Tensor) -> torch.Tensor:
    """One training step's computation, forward and backward, with the mean square of the outputs as the loss."""
    model.zero_grad(set_to_none=True)
    out = model(x)
    out = out[0] if isinstance(out, tuple) else out
    loss = out.square().mean()
    loss.backward()
    return loss


def median_seconds(function: Callable[[], object], repeats: int, warmup: int = 3) -> float:
    """The median time of ``function()`` over ``repeats`` runs, after ``warmup`` untimed ones."""
    for _ in range(warmup):
        function()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def median_step_seconds(model: nn.Module, x: torch.Tensor, repeats: int, warmup: int = 3) -> float:
    """The median time of :func:`training_step` on ``model`` and ``x``."""
    return median_seconds(lambda: training_step(model, x), repeats, warmup)


class _OperationCounter(TorchDispatchMode):
    """Counts every call that reaches PyTorch's kernels (``aten`` operations), forward and backward, by name."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: Counter[str] = Counter()

    def __torch_dispatch__(self, operation, types, args=(), kwargs=None):  # noqa: ANN001, ANN204
        self.calls[str(operation).removeprefix("aten.").removesuffix(".default")] += 1
        return operation(*args, **(kwargs or {}))


def count_operations(function: Callable[[], object]) -> Counter[str]:
    """The tensor operations ``function()`` sends to PyTorch's kernels, by name, with how often each was called.

    Counted at PyTorch's dispatcher, below autograd, so the operations of the backward pass count
    too, and each call pays the dispatcher's overhead. A Python loop over time steps makes a
    handful of calls per step; a fused kernel, one call for the whole sequence.
    """
    with _OperationCounter() as counter:
        function()
    return counter.calls
