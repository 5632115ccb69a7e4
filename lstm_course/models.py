"""Recurrent networks over whole sequences: the plain RNN and the LSTM.

Each model runs its cell's step (:mod:`lstm_course.cells`) over the time steps of a batch-first
sequence. The input part ``W_x x_t + b`` is computed for all steps in one matrix product, and the
recurrent product for all gates is one ``addmm`` per step.

- :meth:`RNN.forward` is that loop, :meth:`lstm_course.cells.RNNCell.step` at every step with
  ``W_h`` transposed once. It walks the steps with ``unbind``, whose backward writes each step's
  gradient once (indexing ``x[:, t]`` would write a full-size gradient at every step).
- :meth:`LSTM.trace` is that loop for the LSTM, keeping every gate's activation.
  :meth:`LSTM.forward` computes the same numbers with the fused kernel of
  :mod:`lstm_course.kernels`, whose backward pass is written by hand; the tests check that the
  two agree, values and gradients.

Both models copy their weights from and to ``torch.nn.RNN`` / ``torch.nn.LSTM``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import nn

from .cells import GATE_NAMES, LSTMCell, RNNCell, initial_lstm_state, initial_rnn_state, keep_rows_fixed
from .kernels import LSTMSequence
from .validation import check_sequence_input, check_torch_module

TORCH_GATE_ORDER = ("input", "forget", "candidate", "output")
"""The order of the row blocks in ``torch.nn.LSTM``'s ``weight_ih_l0``, ``weight_hh_l0`` and biases."""

SATURATED_BIAS = 1e4
"""Bias that makes a sigmoid exactly 1.0 in float32 and float64: how ``to_torch`` fixes a dropped gate open."""


class RNN(nn.Module):
    r"""A one-layer tanh recurrent network over a whole sequence.

    .. math::
        h_t = \tanh(W_x x_t + W_h h_{t-1} + b), \qquad t = 1, \dots, T

    Args:
        input_size: number of features :math:`I` of each input :math:`x_t`.
        hidden_size: number of hidden units :math:`H`.

    Attributes:
        cell: the :class:`~lstm_course.cells.RNNCell` holding ``W_x`` ``(H, I)``, ``W_h`` ``(H, H)``
            and ``b`` ``(H,)``.

    Shapes:
        ``x``: ``(B, T, I)``, batch first. ``h0``: ``(B, H)``, zeros when omitted.
        Returns ``(out, h)``: every hidden state ``out`` ``(B, T, H)`` and the last one ``h`` ``(B, H)``.

    Example:
        >>> rnn = RNN(input_size=1, hidden_size=32)
        >>> out, h = rnn(torch.randn(8, 50, 1))
        >>> out.shape, h.shape
        (torch.Size([8, 50, 32]), torch.Size([8, 32]))
    """

    def __init__(self, input_size: int, hidden_size: int) -> None:
        super().__init__()
        self.cell = RNNCell(input_size, hidden_size)
        self.input_size, self.hidden_size = input_size, hidden_size

    def forward(self, x: torch.Tensor, h0: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        x = check_sequence_input(x, self.input_size)
        h = initial_rnn_state("h0", h0, x.shape[0], self.hidden_size, like=x)
        input_part = self.cell.input_part(x)  # W_x x_t + b for every step: (B, T, H)
        W_h_T = self.cell.W_h.T  # transposed once, not at every step: the loop's only saving over cell.step
        hidden = []
        for input_t in input_part.unbind(dim=1):
            h = torch.tanh(torch.addmm(input_t, h, W_h_T))  # RNNCell.step: tanh(input part + W_h h_{t-1}), (B, H)
            hidden.append(h)
        return torch.stack(hidden, dim=1), h

    @classmethod
    def from_torch(cls, torch_rnn: nn.RNN) -> RNN:
        """Build an :class:`RNN` with the weights of a one-layer ``torch.nn.RNN`` (tanh, with bias)."""
        check_torch_module("torch_rnn", torch_rnn, nn.RNN)
        if torch_rnn.nonlinearity != "tanh":
            raise ValueError(f"torch_rnn must use nonlinearity='tanh', got {torch_rnn.nonlinearity!r}")
        weight = torch_rnn.weight_ih_l0
        rnn = cls(torch_rnn.input_size, torch_rnn.hidden_size).to(dtype=weight.dtype, device=weight.device)
        with torch.no_grad():
            rnn.cell.W_x.copy_(torch_rnn.weight_ih_l0)
            rnn.cell.W_h.copy_(torch_rnn.weight_hh_l0)
            rnn.cell.b.copy_(torch_rnn.bias_ih_l0 + torch_rnn.bias_hh_l0)
        return rnn

    def to_torch(self) -> nn.RNN:
        """A batch-first ``torch.nn.RNN`` that computes the same numbers as this model."""
        weight = self.cell.W_x
        torch_rnn = nn.RNN(self.input_size, self.hidden_size, batch_first=True)
        torch_rnn = torch_rnn.to(dtype=weight.dtype, device=weight.device)
        with torch.no_grad():
            torch_rnn.weight_ih_l0.copy_(self.cell.W_x)
            torch_rnn.weight_hh_l0.copy_(self.cell.W_h)
            torch_rnn.bias_ih_l0.copy_(self.cell.b)
            torch_rnn.bias_hh_l0.zero_()
        return torch_rnn

    def extra_repr(self) -> str:
        return f"input_size={self.input_size}, hidden_size={self.hidden_size}"


@dataclass
class LSTMTrace:
    """Everything an LSTM computed over a sequence (:meth:`LSTM.trace`), for looking at what it learned.

    Attributes:
        hidden: hidden states :math:`h_t`, ``(B, T, H)``; the same as :meth:`LSTM.forward`'s ``out``.
        cell: cell states :math:`c_t`, ``(B, T, H)``; the last one is ``cell[:, -1]``.
        gates: ``"input"``, ``"forget"``, ``"output"`` and ``"candidate"`` activations, each
            ``(B, T, H)``; a gate the model does not have is a tensor of ones (it is fixed at 1).
    """

    hidden: torch.Tensor
    cell: torch.Tensor
    gates: dict[str, torch.Tensor]


class LSTM(nn.Module):
    r"""A one-layer long short-term memory network over a whole sequence, with any subset of gates.

    At every step :math:`t = 1, \dots, T`:

    .. math::
        \begin{aligned}
        i_t &= \sigma(W_{xi} x_t + W_{hi} h_{t-1} + b_i) \\
        f_t &= \sigma(W_{xf} x_t + W_{hf} h_{t-1} + b_f) \\
        o_t &= \sigma(W_{xo} x_t + W_{ho} h_{t-1} + b_o) \\
        g_t &= \tanh(W_{xg} x_t + W_{hg} h_{t-1} + b_g) \\
        c_t &= f_t \odot c_{t-1} + i_t \odot g_t \\
        h_t &= o_t \odot \tanh(c_t)
        \end{aligned}

    A gate left out of ``gates`` is fixed at 1. ``LSTM(I, H, gates=("input", "output"))`` is the
    LSTM of Hochreiter and Schmidhuber (1997), before the forget gate of Gers et al. (2000).
    :meth:`trace` runs these equations one step at a time and keeps every activation;
    :meth:`forward` computes the same numbers with a fused kernel and back-propagation through
    time written by hand (:mod:`lstm_course.kernels`).

    Args:
        input_size: number of features :math:`I` of each input :math:`x_t`.
        hidden_size: number of hidden units :math:`H`.
        gates: which of ``"input"``, ``"forget"``, ``"output"`` the model has (any subset).
        forget_bias: initial value of :math:`b_f`, default 1.0; only allowed with a forget gate.

    Attributes:
        cell: the :class:`~lstm_course.cells.LSTMCell` holding ``W_x`` ``(G*H, I)``, ``W_h``
            ``(G*H, H)`` and ``b`` ``(G*H,)``, stacked in the order input, forget, output gate,
            then candidate, skipping absent gates (``G = len(gates) + 1``).

    Shapes:
        ``x``: ``(B, T, I)``, batch first. ``state``: ``(h0, c0)``, each ``(B, H)``, zeros when omitted.
        :meth:`forward` returns ``(out, (h, c))``: every hidden state ``out`` ``(B, T, H)`` and the
        last states ``h``, ``c`` ``(B, H)``. :meth:`trace` returns an :class:`LSTMTrace`.

    Example:
        >>> lstm = LSTM(input_size=1, hidden_size=32)
        >>> x = torch.randn(8, 50, 1)
        >>> out, (h, c) = lstm(x)
        >>> trace = lstm.trace(x)
        >>> out.shape, trace.gates["forget"].shape
        (torch.Size([8, 50, 32]), torch.Size([8, 50, 32]))
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        gates: tuple[str, ...] = GATE_NAMES,
        forget_bias: float | None = None,
    ) -> None:
        super().__init__()
        self.cell = LSTMCell(input_size, hidden_size, gates=gates, forget_bias=forget_bias)
        self.input_size, self.hidden_size, self.gates = input_size, hidden_size, self.cell.gates

    def trace(
        self,
        x: torch.Tensor,
        state: tuple[torch.Tensor, torch.Tensor] | None = None,
        edit: Callable[[int, dict[str, torch.Tensor]], dict[str, torch.Tensor]] | None = None,
    ) -> LSTMTrace:
        """Run the cell's equations one step at a time and keep every state and every gate's activation.

        The readable path: :meth:`lstm_course.cells.LSTMCell.step` at each step, through autograd.
        It gives the same numbers and gradients as :meth:`forward`, more slowly. ``edit(t, gates)``,
        if given, is called at every step ``t`` (from 0) with that step's activations and returns
        the ones the step goes on with (see :meth:`~lstm_course.cells.LSTMCell.step`); the trace
        keeps the edited ones.
        """
        x = check_sequence_input(x, self.input_size)
        h, c = initial_lstm_state(state, x.shape[0], self.hidden_size, like=x)
        input_part = self.cell.input_part(x)  # W_x x_t + b for every step: (B, T, G*H)
        hidden, cells, steps = [], [], []
        for t, input_t in enumerate(input_part.unbind(dim=1)):
            edit_t = None if edit is None else functools.partial(edit, t)
            h, c, gates = self.cell.step(input_t, h, c, edit_t)  # (B, H), (B, H), each gate (B, H)
            hidden.append(h)
            cells.append(c)
            steps.append(gates)
        out = torch.stack(hidden, dim=1)  # (B, T, H)
        ones = torch.ones_like(out)
        gates = {
            name: torch.stack([step[name] for step in steps], dim=1) if name in steps[0] else ones
            for name in (*GATE_NAMES, "candidate")
        }
        return LSTMTrace(hidden=out, cell=torch.stack(cells, dim=1), gates=gates)

    def forward(
        self, x: torch.Tensor, state: tuple[torch.Tensor, torch.Tensor] | None = None
    ) -> tuple[torch.Tensor, tuple[torch.Tensor, torch.Tensor]]:
        """Every hidden state ``(B, T, H)`` and the last ``(h, c)``: what :meth:`trace` computes, in one fused call."""
        x = check_sequence_input(x, self.input_size)
        h0, c0 = initial_lstm_state(state, x.shape[0], self.hidden_size, like=x)
        input_part = self.cell.input_part(x.transpose(0, 1))  # time first for the kernel: (T, B, G*H)
        hidden, c = LSTMSequence.apply(input_part, self.cell.W_h, h0, c0, self.gates)  # (T, B, H), (B, H)
        out = hidden.transpose(0, 1)  # (B, T, H)
        return out, (out[:, -1], c)

    @classmethod
    def from_torch(cls, torch_lstm: nn.LSTM) -> LSTM:
        """Build a three-gate :class:`LSTM` with the weights of a one-layer ``torch.nn.LSTM`` (with bias)."""
        check_torch_module("torch_lstm", torch_lstm, nn.LSTM)
        if torch_lstm.proj_size:
            raise ValueError(f"torch_lstm must have proj_size=0, got {torch_lstm.proj_size}")
        weight = torch_lstm.weight_ih_l0
        lstm = cls(torch_lstm.input_size, torch_lstm.hidden_size).to(dtype=weight.dtype, device=weight.device)
        bias = torch_lstm.bias_ih_l0 + torch_lstm.bias_hh_l0
        with torch.no_grad():
            for gate in TORCH_GATE_ORDER:
                rows = _torch_rows(gate, lstm.hidden_size)
                lstm.cell.gate_rows("W_x", gate).copy_(torch_lstm.weight_ih_l0[rows])
                lstm.cell.gate_rows("W_h", gate).copy_(torch_lstm.weight_hh_l0[rows])
                lstm.cell.gate_rows("b", gate).copy_(bias[rows])
        return lstm

    def to_torch(self) -> nn.LSTM:
        """A batch-first ``torch.nn.LSTM`` that computes the same numbers as this model.

        A gate this model does not have gets zero weights and a bias of ``SATURATED_BIAS``, so
        its sigmoid is exactly 1.0 and its gradient exactly 0: the copy keeps the gate fixed at 1
        even while it trains. A gate frozen by :meth:`LSTMCell.freeze_gate` stays frozen: the
        copy's hooks zero the gradient of its rows. (:meth:`from_torch` does not know which gates
        were frozen: a model copied back is frozen no more.)
        """
        weight = self.cell.W_x
        torch_lstm = nn.LSTM(self.input_size, self.hidden_size, batch_first=True)
        torch_lstm = torch_lstm.to(dtype=weight.dtype, device=weight.device)
        with torch.no_grad():
            torch_lstm.bias_hh_l0.zero_()
            for gate in TORCH_GATE_ORDER:
                rows = _torch_rows(gate, self.hidden_size)
                if gate in self.gates or gate == "candidate":
                    torch_lstm.weight_ih_l0[rows] = self.cell.gate_rows("W_x", gate)
                    torch_lstm.weight_hh_l0[rows] = self.cell.gate_rows("W_h", gate)
                    torch_lstm.bias_ih_l0[rows] = self.cell.gate_rows("b", gate)
                else:
                    torch_lstm.weight_ih_l0[rows] = 0.0
                    torch_lstm.weight_hh_l0[rows] = 0.0
                    torch_lstm.bias_ih_l0[rows] = SATURATED_BIAS
        for gate in self.cell.frozen_gates:
            for parameter in torch_lstm.parameters():  # both weights and both biases
                keep_rows_fixed(parameter, _torch_rows(gate, self.hidden_size))
        return torch_lstm

    def extra_repr(self) -> str:
        return f"input_size={self.input_size}, hidden_size={self.hidden_size}, gates={self.gates}"


def _torch_rows(gate: str, hidden_size: int) -> slice:
    """The rows of ``gate`` in a ``torch.nn.LSTM``'s stacked weights (its order: i, f, g, o)."""
    k = TORCH_GATE_ORDER.index(gate)
    return slice(k * hidden_size, (k + 1) * hidden_size)
