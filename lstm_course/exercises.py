"""Checkers for the exercises whose answer is code: call one with your function to see if it is right.

Each checker runs your function on several cases, compares with the course's own answer, and
prints either a confirmation or a hint about the most likely mistake. It returns ``True`` when
your answer is right, so a notebook can also ``assert`` it. Everything runs offline.
"""

from __future__ import annotations

from collections.abc import Callable

import torch

from .cells import RNNCell
from .models import RNN

SIZES = [(3, 8), (10, 4), (1, 32), (1, 1)]
"""The (input_size, hidden_size) pairs every checker tries."""


def _report(correct: bool, message: str) -> bool:
    print(("Correct: " if correct else "Not yet: ") + message)
    return correct


def check_rnn_parameter_count(count: Callable[[int, int], int]) -> bool:
    """Check ``count(input_size, hidden_size)`` against the number of parameters of :class:`~lstm_course.RNN`."""
    for input_size, hidden_size in SIZES:
        expected = sum(p.numel() for p in RNN(input_size, hidden_size).parameters())
        given = count(input_size, hidden_size)
        if given == expected:
            continue
        no_bias = hidden_size * input_size + hidden_size * hidden_size
        if given == no_bias:
            hint = "you left out the bias b, which has one entry per hidden unit."
        elif given == no_bias + 2 * hidden_size:
            hint = "torch.nn.RNN has two biases, but they always appear as a sum: the equation has one b."
        elif given == 2 * hidden_size * input_size + hidden_size:
            hint = "W_h maps a hidden state to a hidden state, so it is H x H, not H x I."
        else:
            hint = "count W_x (H x I), W_h (H x H) and b (H) separately, then add them up."
        return _report(False, f"for input_size={input_size}, hidden_size={hidden_size} you gave {given}, "
                              f"the RNN has {expected}. Hint: {hint}")
    return _report(True, "W_x has H*I entries, W_h has H*H and b has H; the count does not depend on T.")


def check_rnn_step(step: Callable[..., torch.Tensor]) -> bool:
    """Check ``step(x, h, W_x, W_h, b)`` against one step of :class:`~lstm_course.RNNCell`.

    Shapes: ``x`` ``(B, I)``, ``h`` ``(B, H)``, ``W_x`` ``(H, I)``, ``W_h`` ``(H, H)``, ``b`` ``(H,)``;
    the answer is the new hidden state ``(B, H)``.
    """
    generator = torch.Generator().manual_seed(0)
    for input_size, hidden_size in SIZES:
        cell = RNNCell(input_size, hidden_size)
        x = torch.randn(5, input_size, generator=generator)
        h = torch.randn(5, hidden_size, generator=generator)
        expected = cell(x, h).detach()
        try:
            given = step(x, h, cell.W_x.detach(), cell.W_h.detach(), cell.b.detach())
        except RuntimeError as error:
            return _report(False, f"your step raised '{error}'. Hint: with x of shape (B, I) and W_x of "
                                  "shape (H, I), the product is x @ W_x.T.")
        if not isinstance(given, torch.Tensor) or given.shape != expected.shape:
            shape = tuple(given.shape) if isinstance(given, torch.Tensor) else type(given).__name__
            return _report(False, f"expected a tensor of shape {tuple(expected.shape)}, got {shape}.")
        if torch.allclose(given, expected, atol=1e-5):
            continue
        linear = x @ cell.W_x.T + h @ cell.W_h.T + cell.b
        if torch.allclose(given, linear.detach(), atol=1e-5):
            hint = "the sum is right, but the new state is squashed by tanh."
        elif (given.abs() <= 1).all():
            hint = "check that W_h multiplies the previous hidden state and that the bias is added once."
        else:
            hint = "h_t = tanh(x_t W_x^T + h_{t-1} W_h^T + b)."
        return _report(False, f"for input_size={input_size}, hidden_size={hidden_size} your step differs "
                              f"from the RNN cell. Hint: {hint}")
    return _report(True, "your step computes tanh(x W_x^T + h W_h^T + b), exactly as RNNCell does.")
