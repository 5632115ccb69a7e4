"""One time step of a recurrent network: the equations, written as code.

The cells hold the parameters and say what one step computes. Every step splits in two: the
input part :math:`W_x x_t + b`, which does not depend on the past (so a sequence model computes it
for all steps at once), and the recurrence, which adds :math:`W_h h_{t-1}` and applies the
nonlinearities. The sequence models in :mod:`lstm_course.models` run these same methods step by
step; their fast paths in :mod:`lstm_course.kernels` are checked against them.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import torch
from torch import nn
from torch.nn import functional as F

from .validation import (
    check_finite_number_or_none,
    check_gate_names,
    check_positive_int,
    check_state,
    check_step_input,
)

GATE_NAMES = ("input", "forget", "output")
"""The LSTM's three gates, in the order their rows are stacked in ``W_x``, ``W_h`` and ``b``."""


def gate_blocks(
    stacked: torch.Tensor, gates: tuple[str, ...], hidden_size: int, dim: int = -1
) -> dict[str, torch.Tensor | None]:
    """Views of each gate's block, and the candidate's, along the dimension ``dim`` of size ``G*H``.

    The layout: the present gates in the order of :data:`GATE_NAMES`, then the candidate, so that
    the sigmoid gates come first and one sigmoid call covers them all. A gate that is absent maps
    to None. The weights stack their rows this way (``dim=0``), and so do the pre-activations
    (``dim=-1``).
    """
    blocks: dict[str, torch.Tensor | None] = dict.fromkeys(GATE_NAMES)
    for k, name in enumerate((*gates, "candidate")):
        blocks[name] = stacked.narrow(dim, k * hidden_size, hidden_size)
    return blocks


def next_cell_state(
    c_prev: torch.Tensor, g: torch.Tensor, i: torch.Tensor | None = None, f: torch.Tensor | None = None
) -> torch.Tensor:
    r""":math:`c_t = f_t \odot c_{t-1} + i_t \odot g_t`, where an absent gate (None) is the constant 1."""
    kept = c_prev if f is None else f * c_prev  # what the forget gate keeps
    return kept + g if i is None else torch.addcmul(kept, i, g)  # plus what the input gate writes


def next_hidden_state(c: torch.Tensor, o: torch.Tensor | None = None) -> torch.Tensor:
    r""":math:`h_t = o_t \odot \tanh(c_t)`, where an absent output gate (None) is the constant 1."""
    shown = torch.tanh(c)
    return shown if o is None else o * shown  # what the output gate shows


def init_like_torch_(parameter: torch.Tensor, hidden_size: int) -> None:
    """Initialise in place like ``torch.nn.RNN``/``LSTM``/``GRU``: uniform on (-1/sqrt(H), 1/sqrt(H))."""
    bound = 1.0 / math.sqrt(hidden_size)
    nn.init.uniform_(parameter, -bound, bound)


class RNNCell(nn.Module):
    r"""One step of the plain (Elman) recurrent network.

    .. math::
        h_t = \tanh(W_x x_t + W_h h_{t-1} + b)

    where :math:`x_t` is the input at step :math:`t`, :math:`h_{t-1}` the previous hidden state
    and :math:`h_t` the new one.

    Args:
        input_size: number of features :math:`I` of each input :math:`x_t`.
        hidden_size: number of hidden units :math:`H`.

    Attributes:
        W_x: input weights, shape ``(H, I)``.
        W_h: recurrent weights, shape ``(H, H)``.
        b: bias, shape ``(H,)``.

    Shapes:
        ``x``: ``(B, I)``; ``h``: ``(B, H)``, zeros when omitted; returns ``h_t``: ``(B, H)``.

    Example:
        >>> cell = RNNCell(input_size=3, hidden_size=5)
        >>> cell(torch.zeros(2, 3)).shape
        torch.Size([2, 5])
    """

    def __init__(self, input_size: int, hidden_size: int) -> None:
        super().__init__()
        self.input_size = check_positive_int("input_size", input_size)
        self.hidden_size = check_positive_int("hidden_size", hidden_size)
        self.W_x = nn.Parameter(torch.empty(hidden_size, input_size))
        self.W_h = nn.Parameter(torch.empty(hidden_size, hidden_size))
        self.b = nn.Parameter(torch.empty(hidden_size))
        for parameter in self.parameters():
            init_like_torch_(parameter, hidden_size)

    def forward(self, x: torch.Tensor, h: torch.Tensor | None = None) -> torch.Tensor:
        x = check_step_input(x, self.input_size)
        h = initial_rnn_state("h", h, x.shape[0], self.hidden_size, like=x)
        return self.step(self.input_part(x), h)

    def input_part(self, x: torch.Tensor) -> torch.Tensor:
        """:math:`W_x x_t + b` for inputs ``(..., I)``: one step ``(B, I)`` or every step ``(B, T, I)`` at once."""
        return F.linear(x, self.W_x, self.b)  # (..., H)

    def step(self, input_part: torch.Tensor, h: torch.Tensor) -> torch.Tensor:
        r"""The recurrence: :math:`h_t = \tanh(\text{input part} + W_h h_{t-1})`, shapes ``(B, H)``, unchecked."""
        return torch.tanh(torch.addmm(input_part, h, self.W_h.T))  # (B, H)

    def extra_repr(self) -> str:
        return f"input_size={self.input_size}, hidden_size={self.hidden_size}"


class LSTMCell(nn.Module):
    r"""One step of the long short-term memory (LSTM), with any subset of its three gates.

    .. math::
        \begin{aligned}
        i_t &= \sigma(W_{xi} x_t + W_{hi} h_{t-1} + b_i) && \text{input gate} \\
        f_t &= \sigma(W_{xf} x_t + W_{hf} h_{t-1} + b_f) && \text{forget gate} \\
        o_t &= \sigma(W_{xo} x_t + W_{ho} h_{t-1} + b_o) && \text{output gate} \\
        g_t &= \tanh(W_{xg} x_t + W_{hg} h_{t-1} + b_g) && \text{candidate} \\
        c_t &= f_t \odot c_{t-1} + i_t \odot g_t && \text{cell state} \\
        h_t &= o_t \odot \tanh(c_t) && \text{hidden state}
        \end{aligned}

    :math:`\sigma` is the logistic sigmoid and :math:`\odot` the element-wise product. A gate left
    out of ``gates`` has no weights and is fixed at 1: without the forget gate the cell state is
    a pure running sum, as in the original LSTM of Hochreiter and Schmidhuber (1997).

    Args:
        input_size: number of features :math:`I` of each input :math:`x_t`.
        hidden_size: number of hidden units :math:`H`.
        gates: which of ``"input"``, ``"forget"``, ``"output"`` the cell has (any subset).
        forget_bias: initial value of every entry of :math:`b_f`; default 1.0, which keeps the
            memory at the start of training (Jozefowicz et al., 2015). Only allowed with a forget gate.

    Attributes:
        gates: the gates present, in stacking order (``input``, ``forget``, ``output``).
        W_x: input weights of the present gates then the candidate, stacked: shape ``(G*H, I)``
            with ``G = len(gates) + 1``. For all three gates the row blocks are
            ``W_xi, W_xf, W_xo, W_xg``. (``torch.nn.LSTM`` stacks ``i, f, g, o``; sigmoid gates
            first here, so that one sigmoid call covers them all.)
        W_h: recurrent weights stacked the same way, shape ``(G*H, H)``.
        b: biases stacked the same way, shape ``(G*H,)``.

    Shapes:
        ``x``: ``(B, I)``; ``state``: a pair ``(h, c)`` each ``(B, H)``, zeros when omitted;
        returns ``(h_t, c_t)``, each ``(B, H)``.

    Example:
        >>> cell = LSTMCell(input_size=3, hidden_size=5, gates=("input", "output"))
        >>> h, c = cell(torch.zeros(2, 3))
        >>> h.shape, c.shape
        (torch.Size([2, 5]), torch.Size([2, 5]))
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        gates: tuple[str, ...] = GATE_NAMES,
        forget_bias: float | None = None,
    ) -> None:
        super().__init__()
        self.input_size = check_positive_int("input_size", input_size)
        self.hidden_size = check_positive_int("hidden_size", hidden_size)
        self.gates = check_gate_names(gates, GATE_NAMES)
        forget_bias = check_finite_number_or_none("forget_bias", forget_bias)
        if forget_bias is not None and "forget" not in self.gates:
            raise ValueError(f"forget_bias needs a forget gate, but gates is {self.gates}")
        stacked = (len(self.gates) + 1) * hidden_size
        self.W_x = nn.Parameter(torch.empty(stacked, input_size))
        self.W_h = nn.Parameter(torch.empty(stacked, hidden_size))
        self.b = nn.Parameter(torch.empty(stacked))
        for parameter in self.parameters():
            init_like_torch_(parameter, hidden_size)
        if "forget" in self.gates:
            with torch.no_grad():
                self.gate_rows("b", "forget").fill_(1.0 if forget_bias is None else forget_bias)
        self.frozen_gates: dict[str, float] = {}
        """Each gate fixed by :meth:`freeze_gate`, with its bias; :meth:`LSTM.to_torch` keeps them fixed."""

    def gate_rows(self, parameter: str, gate: str) -> torch.Tensor:
        """The block of ``W_x``, ``W_h`` or ``b`` that belongs to ``gate`` (or ``"candidate"``), as a view."""
        block = gate_blocks(getattr(self, parameter), self.gates, self.hidden_size, dim=0).get(gate)
        if block is None:
            raise ValueError(f"gate must be one of {(*self.gates, 'candidate')}, got {gate!r}")
        return block

    def forward(
        self, x: torch.Tensor, state: tuple[torch.Tensor, torch.Tensor] | None = None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        x = check_step_input(x, self.input_size)
        h, c = initial_lstm_state(state, x.shape[0], self.hidden_size, like=x)
        h, c, _ = self.step(self.input_part(x), h, c)
        return h, c

    def input_part(self, x: torch.Tensor) -> torch.Tensor:
        """:math:`W_x x_t + b` for every gate, inputs ``(..., I)``: one step or every step at once; ``(..., G*H)``."""
        return F.linear(x, self.W_x, self.b)

    def step(
        self,
        input_part: torch.Tensor,
        h_prev: torch.Tensor,
        c_prev: torch.Tensor,
        edit: Callable[[dict[str, torch.Tensor]], dict[str, torch.Tensor]] | None = None,
    ) -> tuple[torch.Tensor, torch.Tensor, dict[str, torch.Tensor]]:
        """The recurrence of one step, from the input part ``(B, G*H)`` and the previous states ``(B, H)``.

        Returns ``(h, c, gates)``: the new hidden and cell states and a dict of the present gates'
        activations and the candidate ``"candidate"`` (:math:`g_t`), each ``(B, H)``. ``edit``, if
        given, receives that dict and returns the activations the step goes on with: an
        experiment's way to overrule a gate and measure what it was doing.
        """
        z = torch.addmm(input_part, h_prev, self.W_h.T)  # pre-activations of every gate, (B, G*H)
        n_gates = len(self.gates) * self.hidden_size
        opened = torch.sigmoid(z[:, :n_gates]).split(self.hidden_size, dim=1)
        gates = dict(zip(self.gates, opened))
        gates["candidate"] = torch.tanh(z[:, n_gates:])
        if edit is not None:
            gates = edit(gates)
        c = next_cell_state(c_prev, gates["candidate"], i=gates.get("input"), f=gates.get("forget"))
        h = next_hidden_state(c, o=gates.get("output"))
        return h, c, gates

    def freeze_gate(self, gate: str, bias: float) -> None:
        r"""Fix ``gate`` at the constant :math:`\sigma(\text{bias})` for good: zero its weights, set its bias.

        A gradient hook zeroes the gradient of the gate's rows, so that training (with Adam or
        SGD, without weight decay) never moves them: the gate no longer reads the input or the
        hidden state. The control for "does this gate have to move?". The gate stays frozen in
        the model's ``torch.nn.LSTM`` copy (:meth:`lstm_course.LSTM.to_torch`).
        """
        rows = self.gate_rows("b", gate)  # checks the name
        with torch.no_grad():
            self.gate_rows("W_x", gate).zero_()
            self.gate_rows("W_h", gate).zero_()
            rows.fill_(bias)
        for name in ("W_x", "W_h", "b"):
            parameter = getattr(self, name)
            keep_rows_fixed(parameter, gate_blocks(torch.arange(len(parameter)), self.gates,
                                                   self.hidden_size, dim=0)[gate])
        self.frozen_gates[gate] = bias

    def extra_repr(self) -> str:
        return f"input_size={self.input_size}, hidden_size={self.hidden_size}, gates={self.gates}"


def keep_rows_fixed(parameter: nn.Parameter, rows: slice | torch.Tensor) -> None:
    """Zero the gradient of ``rows`` of ``parameter`` at every backward pass.

    Adam and SGD then leave those rows where they are; weight decay, which does not go through the
    gradient, would still move them.
    """
    trainable = torch.ones_like(parameter)
    trainable[rows] = 0.0
    parameter.register_hook(lambda grad: grad * trainable)


def initial_rnn_state(
    name: str, h: torch.Tensor | None, batch_size: int, hidden_size: int, like: torch.Tensor
) -> torch.Tensor:
    """Return the checked state ``h`` (called ``name`` in errors), or zeros ``(batch_size, hidden_size)`` when None."""
    if h is None:
        return like.new_zeros(batch_size, hidden_size)
    return check_state(name, h, batch_size, hidden_size, like=like)


def initial_lstm_state(
    state: object, batch_size: int, hidden_size: int, like: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    """Return a checked ``(h, c)`` pair, or zeros of shape ``(batch_size, hidden_size)`` when ``state`` is None."""
    if state is None:
        zeros = like.new_zeros(batch_size, hidden_size)
        return zeros, zeros
    if not isinstance(state, (tuple, list)) or len(state) != 2:
        raise TypeError(f"state must be a pair (h, c) of tensors, got {type(state).__name__}")
    h, c = state
    return (
        check_state("h", h, batch_size, hidden_size, like=like),
        check_state("c", c, batch_size, hidden_size, like=like),
    )
