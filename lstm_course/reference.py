r"""The RNN and the LSTM in NumPy, forward and backward, written by hand to be read beside the appendix.

Nothing here is fast or used for training: these functions exist to show back-propagation through
time in full, each line's comment naming the line of the forward pass it differentiates, with no
autograd underneath. The tests check every gradient against ``torch.autograd`` (through
:meth:`lstm_course.LSTM.trace` for the LSTM) and against finite differences.

The code holds a batch, one sequence per row, so products appear transposed against the
appendix's column vectors (``delta_a @ W_h`` is :math:`W_h^\top \delta a`), and its loops count steps
from 0: ``h[:, t + 1]`` is :math:`h_t` and ``x[:, t]`` is :math:`x_t`.

Parameters are dictionaries of float arrays named as in the equations. The RNN has ``W_x``
``(H, I)``, ``W_h`` ``(H, H)`` and ``b`` ``(H,)``. The LSTM has, for its candidate ``g`` and for
each gate ``k`` it has among ``i``, ``f``, ``o``, the arrays ``W_xk`` ``(H, I)``, ``W_hk``
``(H, H)`` and ``b_k`` ``(H,)``; a gate without arrays is the constant 1, as in
:class:`lstm_course.LSTM`. :func:`parameters_of` reads them from a course model.

The backward functions take the gradient that reaches each hidden state from outside the
recurrence, ``grad_hidden`` ``(B, T, H)`` (from a readout, say), and for the LSTM, optionally, the
gradient reaching the last cell state. They return the gradient of the loss with respect to every
parameter and to the initial state, under the same names.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch

from .cells import gate_blocks
from .models import LSTM, RNN

LSTM_GATES = ("i", "f", "o")
"""The LSTM's gates as the appendix names them: input, forget and output."""


def sigmoid(z: np.ndarray) -> np.ndarray:
    r""":math:`\sigma(z) = 1 / (1 + e^{-z})`, written as :math:`(1 + \tanh(z/2))/2`, which never overflows."""
    return 0.5 * (1.0 + np.tanh(0.5 * z))


# The RNN: h_t = tanh(W_x x_t + W_h h_{t-1} + b)


@dataclass
class RNNForward:
    """What the RNN's forward pass keeps for its backward pass: the inputs ``x`` ``(B, T, I)`` and
    every hidden state ``h`` ``(B, T + 1, H)``, with :math:`h_0` first."""

    x: np.ndarray
    h: np.ndarray


def rnn_forward(params: dict[str, np.ndarray], x: np.ndarray, h0: np.ndarray | None = None) -> RNNForward:
    """Run the RNN over ``x`` ``(B, T, I)`` from ``h0`` ``(B, H)`` (zeros when omitted)."""
    B, T, _ = x.shape
    H = params["W_h"].shape[0]
    h = np.zeros((B, T + 1, H))
    if h0 is not None:
        h[:, 0] = h0
    for t in range(T):
        a = x[:, t] @ params["W_x"].T + h[:, t] @ params["W_h"].T + params["b"]  # pre-activation a_t, (B, H)
        h[:, t + 1] = np.tanh(a)  # h_t = tanh(a_t)
    return RNNForward(x, h)


def rnn_backward(
    params: dict[str, np.ndarray], forward: RNNForward, grad_hidden: np.ndarray
) -> dict[str, np.ndarray]:
    r"""Gradients of :math:`W_x`, :math:`W_h`, :math:`b` and :math:`h_0` from ``grad_hidden`` ``(B, T, H)``.

    From the last step to the first, with :math:`\delta h_t` the whole gradient reaching :math:`h_t` and
    :math:`r_t` the part of it that comes from outside the recurrence (``grad_hidden``), in rows:

    .. math::
        \delta a_t = \delta h_t \odot (1 - h_t^2), \qquad
        \delta h_{t-1} = r_{t-1} + \delta a_t W_h,

    and every weight collects :math:`\delta a_t` times what it multiplied at step :math:`t`.
    """
    x, h = forward.x, forward.h
    T = x.shape[1]
    grads = {name: np.zeros_like(value) for name, value in params.items()}
    delta_h = grad_hidden[:, T - 1].copy()  # only the readout's gradient reaches the last state
    for t in reversed(range(T)):
        delta_a = delta_h * (1.0 - h[:, t + 1] ** 2)  # through tanh: tanh'(a_t) = 1 - h_t^2
        grads["W_x"] += delta_a.T @ x[:, t]  # a_t = W_x x_t + ...
        grads["W_h"] += delta_a.T @ h[:, t]  # ... + W_h h_{t-1} + ...
        grads["b"] += delta_a.sum(axis=0)  # ... + b
        delta_h = delta_a @ params["W_h"]  # back to h_{t-1} through W_h
        if t > 0:
            delta_h += grad_hidden[:, t - 1]  # plus the readout's gradient at step t - 1
    grads["h0"] = delta_h
    return grads


# The LSTM: gates i, f, o = sigmoid(...), candidate g = tanh(...), c_t = f c_{t-1} + i g, h_t = o tanh(c_t)


@dataclass
class LSTMForward:
    """What the LSTM's forward pass keeps: inputs ``x`` ``(B, T, I)``, states ``h`` and ``c`` ``(B, T + 1, H)``
    with the initial ones first, and ``layers``: the activation of each gate it has and of the candidate
    ``g``, each ``(B, T, H)``."""

    x: np.ndarray
    h: np.ndarray
    c: np.ndarray
    layers: dict[str, np.ndarray]


def gates_of(params: dict[str, np.ndarray]) -> tuple[str, ...]:
    """The gates an LSTM's parameters have, in the order ``i``, ``f``, ``o``."""
    return tuple(k for k in LSTM_GATES if f"W_x{k}" in params)


def _at_step(layers: dict[str, np.ndarray], t: int) -> tuple[np.ndarray | float, ...]:
    """:math:`i_t, f_t, o_t, g_t` at step ``t``, each ``(B, H)``; an absent gate is the number 1."""
    return tuple(layers[k][:, t] if k in layers else 1.0 for k in (*LSTM_GATES, "g"))


def lstm_forward(
    params: dict[str, np.ndarray], x: np.ndarray, state: tuple[np.ndarray, np.ndarray] | None = None
) -> LSTMForward:
    """Run the LSTM over ``x`` ``(B, T, I)`` from ``state`` ``(h0, c0)``, each ``(B, H)`` (zeros when omitted)."""
    B, T, _ = x.shape
    H = params["W_hg"].shape[0]
    gates = gates_of(params)
    h, c = np.zeros((B, T + 1, H)), np.zeros((B, T + 1, H))
    if state is not None:
        h[:, 0], c[:, 0] = state
    layers = {k: np.zeros((B, T, H)) for k in (*gates, "g")}

    def pre_activation(k: str, t: int) -> np.ndarray:  # z_k = W_xk x_t + W_hk h_{t-1} + b_k, (B, H)
        return x[:, t] @ params[f"W_x{k}"].T + h[:, t] @ params[f"W_h{k}"].T + params[f"b_{k}"]

    for t in range(T):
        for k in gates:
            layers[k][:, t] = sigmoid(pre_activation(k, t))  # i_t, f_t, o_t
        layers["g"][:, t] = np.tanh(pre_activation("g", t))  # g_t
        i, f, o, g = _at_step(layers, t)
        c[:, t + 1] = f * c[:, t] + i * g  # c_t = f_t c_{t-1} + i_t g_t
        h[:, t + 1] = o * np.tanh(c[:, t + 1])  # h_t = o_t tanh(c_t)
    return LSTMForward(x, h, c, layers)


def lstm_backward(
    params: dict[str, np.ndarray],
    forward: LSTMForward,
    grad_hidden: np.ndarray,
    grad_cell: np.ndarray | None = None,
) -> dict[str, np.ndarray]:
    r"""Gradients of every parameter and of :math:`h_0`, :math:`c_0`, from ``grad_hidden`` ``(B, T, H)``
    and ``grad_cell`` ``(B, H)``, the gradient reaching :math:`c_T` (none when omitted).

    From the last step to the first, with :math:`\delta h_t` and :math:`\delta c_t` the whole
    gradients reaching :math:`h_t` and :math:`c_t` and :math:`\delta z_{k,t}` the one reaching
    layer :math:`k`'s pre-activation (a gate or the candidate), :math:`r_t` the gradient from outside
    the recurrence (``grad_hidden``) and :math:`\delta c_t^{\text{later}}` the part of :math:`\delta c_t`
    that comes back from :math:`c_{t+1}` (``grad_cell`` at the last step), in rows:

    .. math::
        \begin{aligned}
        \delta c_t &= \delta c_t^{\text{later}} + \delta h_t \odot o_t \odot (1 - \tanh^2 c_t) \\
        \delta z_{o,t} &= \delta h_t \odot \tanh(c_t) \odot o_t (1 - o_t) &
        \delta z_{f,t} &= \delta c_t \odot c_{t-1} \odot f_t (1 - f_t) \\
        \delta z_{i,t} &= \delta c_t \odot g_t \odot i_t (1 - i_t) &
        \delta z_{g,t} &= \delta c_t \odot i_t \odot (1 - g_t^2) \\
        \delta c_{t-1}^{\text{later}} &= \delta c_t \odot f_t &
        \delta h_{t-1} &= r_{t-1} + \textstyle\sum_k \delta z_{k,t} W_{hk}
        \end{aligned}

    A gate that is absent is the constant 1: it has no :math:`\delta z`, and it is 1 in the others.
    """
    x, h, c, layers = forward.x, forward.h, forward.c, forward.layers
    T = x.shape[1]
    gates = gates_of(params)
    grads = {name: np.zeros_like(value) for name, value in params.items()}
    delta_h = grad_hidden[:, T - 1].copy()
    delta_c = np.zeros_like(c[:, T]) if grad_cell is None else grad_cell.copy()
    for t in reversed(range(T)):
        i, f, o, g = _at_step(layers, t)
        tanh_c = np.tanh(c[:, t + 1])
        # h_t = o_t tanh(c_t): the hidden state's gradient reaches the output gate and c_t
        delta_o = delta_h * tanh_c
        delta_c = delta_c + delta_h * o * (1.0 - tanh_c**2)
        # c_t = f_t c_{t-1} + i_t g_t: the cell state's gradient reaches both terms
        delta_f = delta_c * c[:, t]
        delta_i = delta_c * g
        delta_g = delta_c * i
        # through the nonlinearities: sigma'(z) = sigma (1 - sigma), tanh'(z) = 1 - tanh^2
        delta_z = {
            "i": delta_i * i * (1.0 - i),
            "f": delta_f * f * (1.0 - f),
            "o": delta_o * o * (1.0 - o),
            "g": delta_g * (1.0 - g**2),
        }
        delta_h = grad_hidden[:, t - 1].copy() if t > 0 else np.zeros_like(delta_h)
        for k in (*gates, "g"):  # z_k = W_xk x_t + W_hk h_{t-1} + b_k
            grads[f"W_x{k}"] += delta_z[k].T @ x[:, t]
            grads[f"W_h{k}"] += delta_z[k].T @ h[:, t]
            grads[f"b_{k}"] += delta_z[k].sum(axis=0)
            delta_h += delta_z[k] @ params[f"W_h{k}"]  # back to h_{t-1} through every layer
        delta_c = delta_c * f  # back to c_{t-1} along the lane: the direct path
    grads["h0"], grads["c0"] = delta_h, delta_c
    return grads


# Between the course's models and these functions, and the checks the appendix makes


def parameters_of(model: RNN | LSTM) -> dict[str, np.ndarray]:
    """The parameters of a course :class:`~lstm_course.RNN` or :class:`~lstm_course.LSTM`, named as above (float64)."""
    return _by_name(model, lambda parameter: parameter)


def gradients_of(model: RNN | LSTM) -> dict[str, np.ndarray]:
    """The gradients autograd left in the model's parameters (``.grad``), under the same names, in float64."""
    return _by_name(model, lambda parameter: parameter.grad)


def _by_name(model: RNN | LSTM, read: Callable[[torch.nn.Parameter], torch.Tensor]) -> dict[str, np.ndarray]:
    if isinstance(model, RNN):
        return {name: _array(read(getattr(model.cell, name))) for name in ("W_x", "W_h", "b")}
    if not isinstance(model, LSTM):
        raise TypeError(f"model must be an lstm_course RNN or LSTM, got {type(model).__name__}")
    letters = {"input": "i", "forget": "f", "output": "o", "candidate": "g"}
    arrays = {}
    for parameter, prefix in (("W_x", "W_x"), ("W_h", "W_h"), ("b", "b_")):
        stacked = read(getattr(model.cell, parameter))
        for name, block in gate_blocks(stacked, model.gates, model.hidden_size, dim=0).items():
            if block is not None:
                arrays[prefix + letters[name]] = _array(block)
    return arrays


def _array(tensor: torch.Tensor) -> np.ndarray:
    return tensor.detach().to(torch.float64).numpy().copy()


def finite_difference_gradient(
    loss: Callable[[dict[str, np.ndarray]], float], params: dict[str, np.ndarray], name: str, step: float = 1e-5
) -> np.ndarray:
    r"""The gradient of ``loss(params)`` with respect to ``params[name]``, one entry at a time, by central differences.

    Each entry :math:`\theta` gets :math:`(L(\theta + \epsilon) - L(\theta - \epsilon)) / 2\epsilon`, with
    :math:`\epsilon` = ``step``. A larger step errs by the third derivative of :math:`L` (an error that shrinks like
    :math:`\epsilon^2`), a smaller one by float rounding (an error that grows like :math:`1/\epsilon`); the
    appendix measures both, and in float64 the default step sits near the best. Two forward passes per
    entry: for small models only.
    """
    gradient = np.zeros_like(params[name])
    for index in np.ndindex(gradient.shape):
        shifted = {**params, name: params[name].copy()}
        shifted[name][index] += step
        above = loss(shifted)
        shifted[name][index] -= 2 * step
        below = loss(shifted)
        gradient[index] = (above - below) / (2 * step)
    return gradient


def relative_error(computed: np.ndarray, expected: np.ndarray) -> float:
    r""":math:`\|a - b\| / \max(\|a\|, \|b\|)`: the difference against the size of the arrays (0 if both are 0)."""
    scale = max(np.linalg.norm(computed), np.linalg.norm(expected))
    return 0.0 if scale == 0 else float(np.linalg.norm(computed - expected) / scale)
