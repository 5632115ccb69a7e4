"""Checkers for the exercises whose answer is code: call one with your function to see if it is right.

Each checker runs your function on several cases, compares with the course's own answer, and
prints either a confirmation or a hint about the most likely mistake. It returns ``True`` when
your answer is right, so a notebook can also ``assert`` it. Everything runs offline.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import torch
from torch import nn

from .cells import GATE_NAMES, RNNCell, gate_blocks, next_cell_state, next_hidden_state
from .gradients import gradient_norm_bound, spectral_radius
from .models import LSTM, RNN, TORCH_GATE_ORDER
from .text.bits import cross_entropy_in_bits
from .text.sampling import probabilities_at_temperature

SIZES = [(3, 8), (10, 4), (1, 32), (1, 1)]
"""The (input_size, hidden_size) pairs every checker tries."""


def _report(correct: bool, message: str) -> bool:
    print(("Correct: " if correct else "Not yet: ") + message)
    return correct


def _call(function: Callable, args: tuple, expected: torch.Tensor, what: str, hint: str) -> tuple[object, str | None]:
    """Run the learner's ``function(*args)``; return its answer and, if it raised or has the wrong shape, why."""
    try:
        given = function(*args)
    except (RuntimeError, TypeError, ValueError, IndexError) as error:
        return None, f"your function raised '{error}'. Hint: {hint}"
    if isinstance(given, torch.Tensor) and given.shape == expected.shape:
        return given, None
    shape = tuple(given.shape) if isinstance(given, torch.Tensor) else type(given).__name__
    return given, f"expected {what}, a tensor of shape {tuple(expected.shape)}, got {shape}."


def _hint_for(given: torch.Tensor, mistakes: dict[str, torch.Tensor], otherwise: str) -> str:
    """The hint of the first typical mistake whose result ``given`` matches (to 1e-5), else ``otherwise``."""
    return next((text for text, value in mistakes.items() if torch.allclose(given, value, atol=1e-5)), otherwise)


def check_rnn_parameter_count(count: Callable[[int, int], int]) -> bool:
    """Check ``count(input_size, hidden_size)`` against the number of parameters of :class:`~lstm_course.RNN`."""

    def mistakes(I: int, H: int) -> dict[int, str]:
        no_bias = H * I + H * H
        return {
            no_bias: "you left out the bias b, which has one entry per hidden unit.",
            no_bias + 2 * H: "torch.nn.RNN has two biases, but they always appear as a sum: the equation has one b.",
            2 * H * I + H: "W_h maps a hidden state to a hidden state, so it is H x H, not H x I.",
        }

    return _check_parameter_count(
        count,
        RNN,
        mistakes,
        otherwise="count W_x (H x I), W_h (H x H) and b (H) separately, then add them up.",
        explanation="W_x has H*I entries, W_h has H*H and b has H; the count does not depend on T.",
    )


def check_lstm_parameter_count(count: Callable[[int, int], int]) -> bool:
    """Check ``count(input_size, hidden_size)`` against the number of parameters of a three-gate :class:`~lstm_course.LSTM`."""

    def mistakes(I: int, H: int) -> dict[int, str]:
        one_layer = H * (I + H + 1)
        return {
            one_layer: "that is one layer, the RNN's count; the LSTM has four: three gates and the candidate.",
            3 * one_layer: "the candidate g_t is a layer with its own weights too, besides the three gates.",
            4 * H * (I + H): "each of the four layers also has a bias with one entry per hidden unit.",
            4 * H * (I + H + 2): "torch.nn.LSTM stores two biases per layer, but they always appear as a sum: count one.",
        }

    return _check_parameter_count(
        count,
        LSTM,
        mistakes,
        otherwise="count one layer (W_x: H x I, W_h: H x H, b: H), then multiply by the number of layers.",
        explanation="four layers of H*(I + H + 1) each: 4H(I + H + 1), four times an RNN of the same width.",
    )


def _check_parameter_count(
    count: Callable[[int, int], int],
    model: type[RNN] | type[LSTM],
    mistakes: Callable[[int, int], dict[int, str]],
    otherwise: str,
    explanation: str,
) -> bool:
    """Compare ``count`` with ``model``'s parameters at every size; hint at the mistake a wrong count matches."""
    for input_size, hidden_size in SIZES:
        expected = sum(p.numel() for p in model(input_size, hidden_size).parameters())
        given = count(input_size, hidden_size)
        if given == expected:
            continue
        hint = mistakes(input_size, hidden_size).get(given, otherwise)
        return _report(False, f"for input_size={input_size}, hidden_size={hidden_size} you gave {given}, "
                              f"the {model.__name__} has {expected}. Hint: {hint}")
    return _report(True, explanation)


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
        given, wrong = _call(
            step, (x, h, cell.W_x.detach(), cell.W_h.detach(), cell.b.detach()), expected, "the new hidden state",
            "with x of shape (B, I) and W_x of shape (H, I), the product is x @ W_x.T.",
        )
        if wrong is not None:
            return _report(False, wrong)
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


LANE_CASES = [(0.5, 0.1), (0.73, 1e-6), (0.9, 0.5), (0.99, 1e-6), (0.5, 0.3), (1.0, 0.01)]
"""(f, fraction) pairs for :func:`check_steps_until_below`; with f = 1 nothing is ever lost."""


def check_steps_until_below(steps_until_below: Callable[[float, float], int | None]) -> bool:
    """Check ``steps_until_below(f, fraction)``: the fewest steps k with ``f**k < fraction``, or None.

    It models a gradient travelling back along an LSTM's cell state through a constant forget gate f.
    """
    for f, fraction in LANE_CASES:
        expected = None if f >= 1 else math.floor(math.log(fraction) / math.log(f)) + 1
        given = steps_until_below(f, fraction)
        if given == expected:
            continue
        if expected is None:
            hint = "with f = 1 the lane never shrinks the gradient, so the answer is None."
        elif given is None:
            hint = "any f below 1 shrinks the gradient geometrically, so it always falls below eventually."
        elif given == expected - 1:
            hint = f"after {given} steps f**k = {f**given:.3g} is not yet below {fraction}: count one more step."
        else:
            hint = "find the smallest whole k with f**k < fraction, i.e. k > log(fraction) / log(f)."
        return _report(False, f"for f={f}, fraction={fraction} you gave {given}, the answer is {expected}. "
                              f"Hint: {hint}")
    return _report(True, "k is the first whole number above log(fraction) / log(f), and None when f = 1.")


def _bound_test_matrices() -> list[torch.Tensor]:
    """Recurrent matrices on which the common mistakes give different numbers from the bound."""
    generator = torch.Generator().manual_seed(0)
    lopsided = torch.tensor([[0.5, 2.0], [0.0, 0.5]])  # spectral radius 0.5, largest singular value 2.1
    random = torch.randn(16, 16, generator=generator) / 4.0
    symmetric = (random + random.T) / 2
    return [lopsided, random, symmetric]


def check_gradient_norm_bound(bound: Callable[[torch.Tensor, int], float]) -> bool:
    """Check ``bound(W_h, distance)`` against the bound on a tanh RNN's gradient after ``distance`` steps.

    The expected answer is :func:`lstm_course.gradients.gradient_norm_bound` with the derivative
    bound of tanh, 1: the largest singular value of ``W_h`` to the power ``distance``.
    """
    for W_h in _bound_test_matrices():
        for distance in (0, 1, 3, 10):
            expected = gradient_norm_bound(W_h, distance)
            try:
                given = float(bound(W_h.clone(), distance))
            except (RuntimeError, TypeError, ValueError) as error:
                return _report(False, f"your function raised '{error}' for a {tuple(W_h.shape)} matrix and "
                                      f"distance={distance}. It should return one number.")
            if abs(given - expected) <= 1e-4 * max(1.0, abs(expected)):
                continue
            sigma = gradient_norm_bound(W_h, 1)
            mistakes = {
                "you used the spectral radius (largest |eigenvalue|). It sets the long-run rate, but one step "
                "can stretch a vector by more: the bound needs the largest singular value, "
                "torch.linalg.matrix_norm(W_h, ord=2).": spectral_radius(W_h) ** distance,
                "the Frobenius norm also bounds each step, but loosely; the tight bound for one step is the "
                "largest singular value, torch.linalg.matrix_norm(W_h, ord=2).":
                    torch.linalg.matrix_norm(W_h, ord="fro").item() ** distance,
                "one step back multiplies by one Jacobian, so the bound is a power: sigma_max ** distance.": sigma,
                "count the factors: a gradient that travels d steps back passes through d Jacobians, "
                "so the exponent is distance itself.": sigma ** (distance - 1),
            }
            hint = next(
                (text for text, value in mistakes.items() if abs(given - value) <= 1e-4 * max(1.0, abs(value))),
                "multiply one factor per step: the largest singular value of W_h times the largest derivative "
                "of tanh, which is 1.",
            )
            return _report(False, f"for a {tuple(W_h.shape)} matrix and distance={distance} you gave {given:.6g}, "
                                  f"the bound is {expected:.6g}. Hint: {hint}")
    return _report(True, "the gradient can grow by at most sigma_max(W_h) per step (tanh' <= 1), "
                         "so after d steps by sigma_max ** d.")


BIAS_CASES = [(30, 0.01), (100, 0.01), (10, 0.5), (50, 1e-4), (1, 0.25)]
"""(lag, fraction) pairs for :func:`check_forget_bias_to_keep`; the last one needs a negative bias."""


def check_forget_bias_to_keep(forget_bias_to_keep: Callable[[int, float], float]) -> bool:
    """Check ``forget_bias_to_keep(lag, fraction)``: the bias with ``sigmoid(b_f) ** lag == fraction``.

    A forget gate held at its initial value :math:`\\sigma(b_f)` keeps :math:`\\sigma(b_f)^k` of the
    cell state after ``k`` steps (chapter 4); this is the bias that keeps ``fraction`` after ``lag``.
    """
    for lag, fraction in BIAS_CASES:
        f = fraction ** (1.0 / lag)
        expected = math.log(f / (1.0 - f))
        given = forget_bias_to_keep(lag, fraction)
        try:
            given = float(given)
        except (TypeError, ValueError):
            return _report(False, f"forget_bias_to_keep({lag}, {fraction}) returned {type(given).__name__} "
                                  f"{given!r}; return the bias as a number.")
        if math.isclose(given, expected, rel_tol=1e-6, abs_tol=1e-9):
            continue
        if math.isclose(given, f, rel_tol=1e-6):
            hint = "that is the gate's value f = sigma(b_f); the bias inverts the sigmoid: log(f / (1 - f))."
        elif math.isclose(given, -expected, rel_tol=1e-6):
            hint = "check the sign: a gate that keeps more than half of the memory per step has a positive bias."
        elif math.isclose(given, math.log(fraction) / lag, rel_tol=1e-6):
            hint = "log(fraction) / lag is log f, the logarithm of the gate's value; the bias is log(f / (1 - f))."
        else:
            hint = "first find the gate value f with f**lag = fraction, then invert the sigmoid: b_f = log(f / (1 - f))."
        return _report(False, f"for lag={lag}, fraction={fraction} you gave {given:.4g}, the answer is "
                              f"{expected:.4g}. Hint: {hint}")
    return _report(True, "b_f = log(f / (1 - f)) with f = fraction ** (1 / lag): the longer the lag, the closer "
                         "to 1 the gate must stay, and the larger the bias.")


def _cell_after_writes(c0: torch.Tensor, f: torch.Tensor, i: torch.Tensor, g: torch.Tensor) -> torch.Tensor:
    """The course's answer: the cell's own update, :func:`lstm_course.cells.next_cell_state`, at every step."""
    c = c0
    for f_t, i_t, g_t in zip(f, i, g):
        c = next_cell_state(c, g_t, i=i_t, f=f_t)
    return c


def check_cell_after_writes(cell_after: Callable[..., torch.Tensor]) -> bool:
    """Check ``cell_after(c0, f, i, g)``: the cell state after the steps whose gate values are given.

    Shapes: ``c0`` ``(H,)``, the cell state before the first step; ``f``, ``i``, ``g`` ``(T, H)``,
    the forget gate, input gate and candidate at each of ``T`` steps. The answer is :math:`c_T`,
    ``(H,)``, from :math:`c_t = f_t \\odot c_{t-1} + i_t \\odot g_t` (chapter 5).
    """
    generator = torch.Generator().manual_seed(0)
    for steps, hidden_size in [(5, 3), (1, 4), (12, 1)]:
        c0 = torch.randn(hidden_size, generator=generator)
        f, i = torch.rand(2, steps, hidden_size, generator=generator)
        g = torch.rand(steps, hidden_size, generator=generator) * 2 - 1
        expected = _cell_after_writes(c0, f, i, g)
        given, wrong = _call(
            cell_after, (c0.clone(), f.clone(), i.clone(), g.clone()), expected, "the last cell state",
            f"with {steps} steps of {hidden_size} units, loop over the steps: f[t], i[t] and g[t] are each (H,).",
        )
        if wrong is not None:
            return _report(False, wrong)
        if torch.allclose(given, expected, atol=1e-5):
            continue
        forget_last = c0
        for f_t, i_t, g_t in zip(f, i, g):
            forget_last = f_t * (forget_last + i_t * g_t)
        mistakes = {
            "the forget gate scales the old cell state at every step: c_t = f_t * c_{t-1} + i_t * g_t.":
                c0 + (i * g).sum(dim=0),
            "the input gate filters the candidate: what is written is i_t * g_t, not g_t.":
                _cell_after_writes(c0, f, torch.ones_like(i), g),
            "the forget gate acts on the old cell state before the new write is added, so the write of step t "
            "is not scaled by f_t.": forget_last,
            "every step counts, not only the last: start from c0 and update once per step.":
                f[-1] * c0 + i[-1] * g[-1],
        }
        hint = _hint_for(given, mistakes, "start from c = c0, and at each step t set c = f[t] * c + i[t] * g[t].")
        return _report(False, f"for {steps} steps of {hidden_size} units your cell state differs from the "
                              f"answer. Hint: {hint}")
    return _report(True, "at each step the old cell state is scaled by f_t and the filtered candidate i_t * g_t "
                         "is added.")


def check_hidden_state(hidden_state: Callable[[torch.Tensor, torch.Tensor], torch.Tensor]) -> bool:
    """Check ``hidden_state(c, a_o)``: the hidden state shown by the output gate (chapter 6).

    ``c`` is the cell state :math:`c_t` and ``a_o`` the output gate's pre-activation
    :math:`W_{xo} x_t + W_{ho} h_{t-1} + b_o`, both ``(B, H)``; the answer is
    :math:`h_t = \\sigma(a_o) \\odot \\tanh(c_t)`, ``(B, H)``.
    """
    generator = torch.Generator().manual_seed(0)
    for batch_size, hidden_size in [(4, 3), (1, 8), (6, 1)]:
        c = torch.randn(batch_size, hidden_size, generator=generator) * 3  # some cells beyond tanh's linear range
        a_o = torch.randn(batch_size, hidden_size, generator=generator) * 2
        expected = next_hidden_state(c, o=torch.sigmoid(a_o))  # the cell's own equation
        given, wrong = _call(
            hidden_state, (c.clone(), a_o.clone()), expected, "the hidden state",
            f"with a batch of {batch_size} and {hidden_size} units, everything is element by element: "
            "torch.sigmoid, torch.tanh and *.",
        )
        if wrong is not None:
            return _report(False, wrong)
        if torch.allclose(given, expected, atol=1e-6):
            continue
        mistakes = {
            "that is tanh(c_t) alone, what an LSTM without an output gate shows; multiply it by the gate "
            "sigma(a_o).": torch.tanh(c),
            "the cell state is squashed by tanh before the gate multiplies it: h_t = sigma(a_o) * tanh(c_t).":
                torch.sigmoid(a_o) * c,
            "the gate multiplies the squashed cell state, tanh(c_t); it does not go inside the tanh.":
                torch.tanh(torch.sigmoid(a_o) * c),
            "a_o is the gate's pre-activation: the gate's value is sigma(a_o), between 0 and 1.":
                a_o * torch.tanh(c),
        }
        hint = _hint_for(given, mistakes, "h_t = sigma(a_o) * tanh(c_t), element by element.")
        return _report(False, f"for a batch of {batch_size} and {hidden_size} units your hidden state differs "
                              f"from the answer. Hint: {hint}")
    return _report(True, "the gate sigma(a_o), between 0 and 1, scales the squashed cell state tanh(c_t): "
                         "however large the cell, |h_t| stays below the gate's value.")


STEP_SIZES = [(5, 3, 8), (2, 10, 4), (1, 6, 6), (4, 1, 1)]
"""The (batch_size, input_size, hidden_size) triples :func:`check_lstm_step` tries; the first has I != H."""

COURSE_ORDER = (*GATE_NAMES, "candidate")
"""The order of the row blocks in the course's ``W_x``, ``W_h`` and ``b``: the sigmoid gates first."""


def _torch_cell(W_x: torch.Tensor, W_h: torch.Tensor, b: torch.Tensor) -> nn.LSTMCell:
    """A ``torch.nn.LSTMCell`` with the course's stacked weights, moved into torch's layout by ``LSTM.to_torch``."""
    lstm = LSTM(W_x.shape[1], W_h.shape[1]).to(W_x.dtype)
    with torch.no_grad():
        for name, value in (("W_x", W_x), ("W_h", W_h), ("b", b)):
            getattr(lstm.cell, name).copy_(value)
    layer = lstm.to_torch()
    cell = nn.LSTMCell(lstm.input_size, lstm.hidden_size).to(W_x.dtype)
    with torch.no_grad():
        for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
            getattr(cell, name).copy_(getattr(layer, f"{name}_l0"))
    return cell


def _layers(blocks: dict[str, torch.Tensor]) -> tuple[torch.Tensor, ...]:
    """The gates and the candidate, ``(i, f, o, g)``, from their pre-activations named by layer."""
    i, f, o = (torch.sigmoid(blocks[gate]) for gate in GATE_NAMES)
    return i, f, o, torch.tanh(blocks["candidate"])


def _states(c_prev: torch.Tensor, i: torch.Tensor, f: torch.Tensor, o: torch.Tensor, g: torch.Tensor) -> torch.Tensor:
    """The new states ``(h_t, c_t)`` side by side, ``(B, 2H)``, from the cell's own equations."""
    c = next_cell_state(c_prev, g, i=i, f=f)
    return torch.cat([next_hidden_state(c, o=o), c], dim=1)


def _lstm_step_mistakes(z: torch.Tensor, c_prev: torch.Tensor) -> dict[str, torch.Tensor]:
    """What the typical wrong steps return, as ``(h_t, c_t)`` side by side, each under the hint that explains it.

    ``z`` holds the pre-activations :math:`W_x x_t + W_h h_{t-1} + b`, ``(B, 4H)``, in the course's order.
    """
    blocks = gate_blocks(z, GATE_NAMES, c_prev.shape[1])  # named in the course's order
    read_in_torch_order = dict(zip(TORCH_GATE_ORDER, (blocks[layer] for layer in COURSE_ORDER)))
    i, f, o, g = _layers(blocks)
    c = next_cell_state(c_prev, g, i=i, f=f)
    h = next_hidden_state(c, o=o)
    return {
        f"the blocks of W_x, W_h and b are stacked {', '.join(COURSE_ORDER)} here; torch.nn.LSTM stacks "
        f"{', '.join(TORCH_GATE_ORDER)} (i, f, g, o). Read in torch's order, the output gate's rows become the "
        "candidate and the candidate's the output gate: split z as i, f, o, g.":
            _states(c_prev, *_layers(read_in_torch_order)),
        "the candidate g_t proposes values to write, positive or negative: it goes through tanh, not sigmoid "
        "(only the three gates do).": _states(c_prev, i, f, o, torch.sigmoid(blocks["candidate"])),
        "the cell state is squashed before the output gate shows it: h_t = o_t * tanh(c_t), not o_t * c_t.":
            torch.cat([o * c, c], dim=1),
        "h_t shows the new cell state: compute c_t first, then h_t = o_t * tanh(c_t) from it, not from c_{t-1}.":
            torch.cat([next_hidden_state(c_prev, o=o), c], dim=1),
        "the forget gate scales the old cell state and the input gate the candidate: "
        "c_t = f_t * c_{t-1} + i_t * g_t.": _states(c_prev, i=f, f=i, o=o, g=g),
        "return the hidden state first: h_new, c_new, the order of torch.nn.LSTMCell's (h, c).":
            torch.cat([c, h], dim=1),
    }


def _describe(value: object) -> str:
    """A short description of what the learner's function returned."""
    if isinstance(value, torch.Tensor):
        return f"a {str(value.dtype).removeprefix('torch.')} tensor of shape {tuple(value.shape)}"
    if isinstance(value, (tuple, list)):
        return f"a {type(value).__name__} of {len(value)}: " + ", ".join(_describe(item) for item in value)
    return type(value).__name__


def _call_for_states(step: Callable, args: tuple, shape: torch.Size) -> tuple[torch.Tensor | None, str | None]:
    """Run the learner's ``step(*args)``; return its ``(h_t, c_t)`` side by side or, if that failed, why."""
    try:
        given = step(*args)
    except (RuntimeError, TypeError, ValueError, IndexError) as error:
        if "stack expects each tensor to be equal size" in str(error):
            hint = ("torch.stack puts tensors of one shape side by side along a new dimension, and x (B, I) and "
                    "h (B, H) differ in shape when I != H. To join them along the features use "
                    "torch.cat([x, h], dim=1), or do not join them: x @ W_x.T + h @ W_h.T.")
        else:
            hint = ("with x of shape (B, I) and W_x of shape (4H, I), x @ W_x.T gives the four pre-activations "
                    "side by side, (B, 4H); z.chunk(4, dim=1) splits them.")
        return None, f"your function raised '{error}'. Hint: {hint}"
    if isinstance(given, (tuple, list)) and len(given) == 2 and all(
        isinstance(state, torch.Tensor) and state.shape == shape and state.dtype == torch.float64 for state in given
    ):
        return torch.cat(list(given), dim=1), None
    return None, (f"your function returned {_describe(given)}; return the pair (h_t, c_t), two float64 tensors of "
                  f"shape {tuple(shape)}, like the inputs.")


def check_lstm_step(step: Callable[..., tuple[torch.Tensor, torch.Tensor]]) -> bool:
    """Check ``step(x, h, c, W_x, W_h, b)`` against ``torch.nn.LSTMCell`` with the same weights, in float64.

    Shapes: ``x`` ``(B, I)``; ``h`` and ``c``, the previous states, ``(B, H)``; ``W_x`` ``(4H, I)``,
    ``W_h`` ``(4H, H)`` and ``b`` ``(4H,)``, their row blocks stacked in the course's order
    (:data:`COURSE_ORDER`: input, forget, output gate, then candidate), not in torch's
    (:data:`~lstm_course.models.TORCH_GATE_ORDER`: input, forget, candidate, output). The answer
    is the pair ``(h_t, c_t)``, each ``(B, H)``. A wrong answer is compared with the typical
    mistakes, built here from the course's equations, to name the one it matches.
    """
    generator = torch.Generator().manual_seed(0)

    def draw(*shape: int) -> torch.Tensor:
        return torch.randn(*shape, generator=generator, dtype=torch.float64)

    for batch_size, input_size, hidden_size in STEP_SIZES:
        W_x, W_h = draw(4 * hidden_size, input_size) / 2, draw(4 * hidden_size, hidden_size) / 2
        b = draw(4 * hidden_size)
        x, h = draw(batch_size, input_size), torch.tanh(draw(batch_size, hidden_size))
        c = 2 * draw(batch_size, hidden_size)  # some cells beyond tanh's linear range
        with torch.no_grad():
            expected = torch.cat(_torch_cell(W_x, W_h, b)(x, (h, c)), dim=1)  # (h_t, c_t) side by side: (B, 2H)
        sizes = f"for a batch of {batch_size}, input_size={input_size}, hidden_size={hidden_size}"
        arguments = tuple(tensor.clone() for tensor in (x, h, c, W_x, W_h, b))
        given, wrong = _call_for_states(step, arguments, h.shape)
        if wrong is not None:
            return _report(False, f"{sizes} {wrong}")
        if torch.allclose(given, expected, rtol=0.0, atol=1e-10):
            continue
        h_right, c_right = (torch.allclose(mine, theirs, rtol=0.0, atol=1e-10)
                            for mine, theirs in zip(given.chunk(2, dim=1), expected.chunk(2, dim=1)))
        if h_right:
            differs = "c_t differs from torch.nn.LSTMCell's (your h_t is right)"
        elif c_right:
            differs = "h_t differs from torch.nn.LSTMCell's (your c_t is right)"
        else:
            differs = "h_t and c_t differ from torch.nn.LSTMCell's"
        z = x @ W_x.T + h @ W_h.T + b  # every pre-activation, in the course's order: (B, 4H)
        hint = _hint_for(given, _lstm_step_mistakes(z, c), "split z = x W_x^T + h W_h^T + b into four blocks: "
                         "i, f, o = sigmoid of the first three, g = tanh of the last; c_t = f * c + i * g; "
                         "h_t = o * tanh(c_t).")
        return _report(False, f"{sizes} your {differs}. Hint: {hint}")
    return _report(True, "your step computes what torch.nn.LSTMCell computes, to within 1e-10 in float64, "
                         "with the blocks in the course's order: input, forget, output gate, then candidate.")


def _as_number(value: object) -> float | None:
    """``value`` as a float if it is a number or a one-element tensor, else None."""
    if isinstance(value, torch.Tensor) and value.numel() == 1:
        return value.item()
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    return None


def check_bits_per_character(bits_per_character: Callable[[torch.Tensor, torch.Tensor], object]) -> bool:
    """Check ``bits_per_character(logits, targets)``: a model's mean loss in bits per character (chapter 8).

    ``logits`` are the scores of the next character, ``(B, T, V)``, and ``targets`` the ids of the
    characters that came next, ``(B, T)``; the answer is the mean of :math:`-\\log_2 p(x_{t+1})`, a number
    (:func:`lstm_course.text.cross_entropy_in_bits`).
    """
    generator = torch.Generator().manual_seed(0)
    for batch_size, length, vocabulary_size in [(2, 5, 7), (1, 1, 77), (3, 10, 4)]:
        logits = 3 * torch.randn(batch_size, length, vocabulary_size, generator=generator)
        targets = torch.randint(vocabulary_size, (batch_size, length), generator=generator)
        expected = cross_entropy_in_bits(logits, targets).item()
        try:
            given = _as_number(bits_per_character(logits.clone(), targets.clone()))
        except (RuntimeError, TypeError, ValueError, IndexError) as error:
            return _report(False, f"your function raised '{error}'. Hint: torch.nn.functional.cross_entropy wants "
                                  "the scores as (N, V) and the targets as (N,): flatten the batch and time first.")
        if given is None:
            return _report(False, "return one number (a float or a one-element tensor): the mean over every "
                                  "character of the batch.")
        if math.isclose(given, expected, rel_tol=1e-5):
            continue
        nats = expected * math.log(2)
        mistakes = {
            "that is the loss in nats, the natural logarithm's unit: divide by ln 2 to get bits.": nats,
            "that is in base-10 digits: bits use the base-2 logarithm, so divide the loss in nats by ln 2.":
                nats / math.log(10),
            "that is the sum over the characters: bits per character is the mean.": expected * batch_size * length,
            "check the sign: a probability is at most 1, so -log2 p is at least 0.": -expected,
        }
        matched = [hint for hint, value in mistakes.items() if math.isclose(given, value, rel_tol=1e-5)]
        hint = matched[0] if matched else "the mean over all characters of -log2 of the probability of the target."
        return _report(False, f"for logits of shape {(batch_size, length, vocabulary_size)} you gave {given:.4g}, "
                              f"the answer is {expected:.4g}. Hint: {hint}")
    return _report(True, "bits per character is the cross-entropy in nats divided by ln 2: "
                         "the mean of -log2 p(next character).")


def check_probabilities_at_temperature(probabilities: Callable[[torch.Tensor, float], torch.Tensor]) -> bool:
    """Check ``probabilities(logits, temperature)``: the next character's distribution at a temperature (chapter 8).

    ``logits`` are ``(V,)`` scores; the answer is :math:`\\operatorname{softmax}(z / T)`, ``(V,)``
    (:func:`lstm_course.text.probabilities_at_temperature`).
    """
    generator = torch.Generator().manual_seed(0)
    for vocabulary_size, temperature in [(5, 0.5), (77, 1.5), (3, 1.0), (10, 0.2)]:
        logits = 2 * torch.randn(vocabulary_size, generator=generator)
        expected = probabilities_at_temperature(logits, temperature)
        given, wrong = _call(
            probabilities, (logits.clone(), temperature), expected, "one probability per character",
            "divide the logits by the temperature, then torch.softmax(..., dim=-1).",
        )
        if wrong is not None:
            return _report(False, wrong)
        if torch.allclose(given, expected, atol=1e-6):
            continue
        mistakes = {
            "the logits are divided by the temperature, not multiplied: a low temperature must sharpen.":
                torch.softmax(logits * temperature, dim=-1),
            "these are probabilities at temperature 1: divide the logits by the temperature first.":
                torch.softmax(logits, dim=-1),
            "these are scaled logits: the softmax turns them into probabilities that are positive and sum to 1.":
                logits / temperature,
            "softmax(z) ** (1 / T) has the right shape but does not sum to 1: divide by its sum.":
                torch.softmax(logits, dim=-1) ** (1 / temperature),
        }
        hint = _hint_for(given, mistakes, "p_T = softmax(z / T).")
        return _report(False, f"for {vocabulary_size} characters at T = {temperature} your probabilities differ "
                              f"from the answer. Hint: {hint}")
    return _report(True, "p_T = softmax(z / T): below 1 the temperature stretches the gaps between the logits "
                         "and sharpens the distribution, above 1 it flattens it; the order never changes.")


def check_forget_gate_backward(backward: Callable[..., tuple[np.ndarray, np.ndarray]]) -> bool:
    r"""Check ``backward(delta_c, c_prev, f)``: one step of the forget gate's backward pass (the appendix).

    ``delta_c`` is the whole gradient reaching :math:`c_t`, ``c_prev`` the cell state :math:`c_{t-1}`
    and ``f`` the gate :math:`f_t = \sigma(z_f)`, NumPy arrays ``(B, H)`` in float64. The answer is
    the pair ``(delta_z_f, delta_c_prev)``: the gradient reaching the gate's pre-activation,
    :math:`\delta c_t \odot c_{t-1} \odot f_t (1 - f_t)`, and the part of :math:`\delta c_{t-1}`
    that travels along the lane, :math:`\delta c_t \odot f_t`
    (:func:`lstm_course.reference.lstm_backward`). A wrong term is named.
    """
    generator = np.random.default_rng(0)
    for batch_size, hidden_size in [(4, 3), (1, 6), (5, 1)]:
        delta_c, c_prev = generator.normal(size=(2, batch_size, hidden_size))
        c_prev = 2 * c_prev  # some cells beyond 1, so that c and f are not confused
        f = generator.uniform(0.05, 0.95, size=(batch_size, hidden_size))
        expected = {"delta_z_f": delta_c * c_prev * f * (1 - f), "delta_c_prev": delta_c * f}
        try:
            given = backward(delta_c.copy(), c_prev.copy(), f.copy())
        except (TypeError, ValueError, IndexError) as error:
            return _report(False, f"your function raised '{error}'. Hint: everything is element by element: "
                                  "* multiplies two arrays of the same shape.")
        if not (isinstance(given, (tuple, list)) and len(given) == 2
                and all(np.shape(term) == delta_c.shape for term in given)):
            return _report(False, f"return the pair (delta_z_f, delta_c_prev), two arrays of shape "
                                  f"{delta_c.shape}, like the inputs.")
        mistakes = {
            "delta_z_f": {
                "it is missing the sigmoid's derivative: f_t = sigma(z_f), so multiply by sigma'(z_f) = f (1 - f).":
                    delta_c * c_prev,
                "the sigmoid's derivative is f (1 - f), not f.": delta_c * c_prev * f,
                "1 - f^2 is the derivative of tanh; the gate is a sigmoid, whose derivative is f (1 - f).":
                    delta_c * c_prev * (1 - f**2),
                "the gate multiplies c_{t-1} in c_t = f_t c_{t-1} + i_t g_t, so its gradient carries c_{t-1}.":
                    delta_c * f * (1 - f),
            },
            "delta_c_prev": {
                "that is the 1997 lane, with no forget gate: with one, the lane multiplies by f_t on the way back.":
                    delta_c,
                "c_{t-1} enters c_t as f_t c_{t-1}, so the lane multiplies by f_t; sigma'(z_f) belongs to the gate.":
                    delta_c * f * (1 - f),
                "c_{t-1} is what the gate multiplies, so it belongs to the gate's gradient; the lane's is f_t.":
                    delta_c * c_prev,
            },
        }
        for name, term in zip(("delta_z_f", "delta_c_prev"), given):
            if np.allclose(term, expected[name], rtol=0.0, atol=1e-12):
                continue
            hint = next((text for text, value in mistakes[name].items() if np.allclose(term, value, atol=1e-12)),
                        f"compare each factor of your {name} with the chain rule through "
                        "c_t = f_t c_{t-1} + i_t g_t.")
            return _report(False, f"for a batch of {batch_size} and {hidden_size} units your {name} differs from "
                                  f"the answer. Hint: {hint}")
    return _report(True, "the gate's gradient is delta_c * c_{t-1} * f (1 - f), and the lane passes delta_c * f "
                         "back to c_{t-1}: the forget gate scales the gradient as it scales the memory.")
