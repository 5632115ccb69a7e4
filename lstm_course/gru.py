r"""The gated recurrent unit (GRU) of Cho et al. (2014), in the form ``torch.nn.GRU`` computes.

The GRU has no cell state: two gates decide, unit by unit, how much of the hidden state to keep
(the update gate) and how much of it the candidate may read (the reset gate). :class:`GRUCell` is
one step, :class:`GRU` the sequence model; it copies its weights from and to ``torch.nn.GRU`` and
computes the same numbers (the tests check values and gradients). As in
:mod:`lstm_course.models`, the input part of every step is one matrix product for the whole
sequence, and the recurrence is one ``addmm`` per step; autograd does the backward pass.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn
from torch.nn import functional as F

from .cells import init_like_torch_, initial_rnn_state
from .validation import check_positive_int, check_sequence_input, check_step_input, check_torch_module

GRU_GATE_ORDER = ("reset", "update", "candidate")
"""The order of the row blocks in ``W_x``, ``W_h`` and ``b``; also ``torch.nn.GRU``'s order (r, z, n)."""

Gates = dict[str, torch.Tensor]


class GRUCell(nn.Module):
    r"""One step of the gated recurrent unit, in PyTorch's form.

    .. math::
        \begin{aligned}
        r_t &= \sigma(W_{xr} x_t + W_{hr} h_{t-1} + b_r) && \text{reset gate} \\
        z_t &= \sigma(W_{xz} x_t + W_{hz} h_{t-1} + b_z) && \text{update gate} \\
        n_t &= \tanh(W_{xn} x_t + b_{xn} + r_t \odot (W_{hn} h_{t-1} + b_{hn})) && \text{candidate} \\
        h_t &= (1 - z_t) \odot n_t + z_t \odot h_{t-1} && \text{hidden state}
        \end{aligned}

    :math:`x_t` is the input at step :math:`t`, :math:`h_{t-1}` the previous hidden state,
    :math:`\sigma` the logistic sigmoid and :math:`\odot` the element-wise product. An update gate
    near 1 keeps the old state; near 0 it replaces it by the candidate. (The cell state of the
    LSTM with coupled gates, :class:`~lstm_course.variants.CIFGLSTM`, moves the same way.)

    **Where the reset gate acts.** Cho et al. (2014) reset the state before the matrix product,
    :math:`n_t = \tanh(W_{xn} x_t + W_{hn} (r_t \odot h_{t-1}))` (written without biases; with one,
    it would be a single :math:`b_n`). PyTorch, and this cell, reset the product,
    :math:`r_t \odot (W_{hn} h_{t-1} + b_{hn})`: the form of the first arXiv version of their paper,
    and the one cuDNN computes. With the same weights the two compute different numbers in
    general; this form lets one matrix product compute :math:`W_h h_{t-1}` for all three blocks at
    once, before the reset gate is known. It also explains the biases. PyTorch has two per block,
    ``bias_ih`` and ``bias_hh``; for the gates they are added together, so one bias each,
    :math:`b_r` and :math:`b_z`, computes the same. For the candidate, :math:`b_{hn}` sits inside
    the product with :math:`r_t` and :math:`b_{xn}` outside it: no single bias computes what the
    two do, and the cell keeps both.

    Args:
        input_size: number of features :math:`I` of each input :math:`x_t`.
        hidden_size: number of hidden units :math:`H`.

    Attributes:
        W_x: input weights, shape ``(3H, I)``, row blocks :math:`W_{xr}, W_{xz}, W_{xn}`: the
            layout of ``torch.nn.GRU``'s ``weight_ih_l0`` (:data:`GRU_GATE_ORDER`).
        W_h: recurrent weights, shape ``(3H, H)``, row blocks :math:`W_{hr}, W_{hz}, W_{hn}`, as
            ``weight_hh_l0``.
        b: the biases added to :math:`W_h h_{t-1}`, shape ``(3H,)``: :math:`b_r, b_z, b_{hn}`.
            In ``torch.nn.GRU``, :math:`b_r` is ``bias_ih_l0 + bias_hh_l0`` in the r rows (likewise
            :math:`b_z`), and :math:`b_{hn}` is ``bias_hh_l0`` in the n rows.
        b_xn: the candidate's input bias, shape ``(H,)``: ``bias_ih_l0`` in the n rows.

    All four are drawn as ``torch.nn.GRU`` draws its weights: uniform on
    :math:`(-1/\sqrt{H}, 1/\sqrt{H})`. (``torch.nn.GRU`` adds two such biases for each gate, so its
    :math:`b_r` and :math:`b_z` start spread over twice that range.)

    Shapes:
        ``x``: ``(B, I)``; ``h``: ``(B, H)``, zeros when omitted; returns ``h_t``: ``(B, H)``.

    Example:
        >>> cell = GRUCell(input_size=3, hidden_size=5)
        >>> h, gates = cell.step(cell.input_part(torch.zeros(2, 3)), torch.zeros(2, 5))
        >>> h.shape, gates["update"].shape, cell(torch.zeros(2, 3)).shape
        (torch.Size([2, 5]), torch.Size([2, 5]), torch.Size([2, 5]))
    """

    def __init__(self, input_size: int, hidden_size: int) -> None:
        super().__init__()
        self.input_size = check_positive_int("input_size", input_size)
        self.hidden_size = check_positive_int("hidden_size", hidden_size)
        self.W_x = nn.Parameter(torch.empty(3 * hidden_size, input_size))
        self.W_h = nn.Parameter(torch.empty(3 * hidden_size, hidden_size))
        self.b = nn.Parameter(torch.empty(3 * hidden_size))
        self.b_xn = nn.Parameter(torch.empty(hidden_size))
        for parameter in self.parameters():
            init_like_torch_(parameter, hidden_size)

    def forward(self, x: torch.Tensor, h: torch.Tensor | None = None) -> torch.Tensor:
        x = check_step_input(x, self.input_size)
        h = initial_rnn_state("h", h, x.shape[0], self.hidden_size, like=x)
        return self.step(self.input_part(x), h)[0]

    def input_part(self, x: torch.Tensor) -> torch.Tensor:
        """:math:`W_x x_t + (0, 0, b_{xn})`, inputs ``(..., I)``: one step or every step at once; ``(..., 3H)``."""
        return F.linear(x, self.W_x, F.pad(self.b_xn, (2 * self.hidden_size, 0)))

    def step(self, input_part: torch.Tensor, h_prev: torch.Tensor) -> tuple[torch.Tensor, Gates]:
        """The recurrence of one step, from the input part ``(B, 3H)`` and the previous state ``(B, H)``.

        Returns ``(h, gates)``: the new hidden state and a dict of the activations ``"reset"``
        (:math:`r_t`), ``"update"`` (:math:`z_t`) and ``"candidate"`` (:math:`n_t`), each ``(B, H)``.
        """
        H = self.hidden_size
        hidden_part = torch.addmm(self.b, h_prev, self.W_h.T)  # W_h h_{t-1} + (b_r, b_z, b_hn): (B, 3H)
        r, z = torch.sigmoid(input_part[:, : 2 * H] + hidden_part[:, : 2 * H]).chunk(2, dim=1)  # each (B, H)
        n = torch.tanh(torch.addcmul(input_part[:, 2 * H :], r, hidden_part[:, 2 * H :]))  # reset after W_hn
        h = torch.lerp(n, h_prev, z)  # (1 - z) * n + z * h_prev
        return h, {"reset": r, "update": z, "candidate": n}

    def extra_repr(self) -> str:
        return f"input_size={self.input_size}, hidden_size={self.hidden_size}"


@dataclass
class GRUTrace:
    """Everything a GRU computed over a sequence (:meth:`GRU.trace`), for looking at what it learned.

    Attributes:
        hidden: hidden states :math:`h_t`, ``(B, T, H)``; the same as :meth:`GRU.forward`'s ``out``.
        gates: ``"reset"``, ``"update"`` and ``"candidate"`` activations, each ``(B, T, H)``.
    """

    hidden: torch.Tensor
    gates: dict[str, torch.Tensor]


class GRU(nn.Module):
    r"""A one-layer gated recurrent unit over a whole sequence, computing what ``torch.nn.GRU`` computes.

    At every step :math:`t = 1, \dots, T`, the equations of :class:`GRUCell`:

    .. math::
        \begin{aligned}
        r_t &= \sigma(W_{xr} x_t + W_{hr} h_{t-1} + b_r) \\
        z_t &= \sigma(W_{xz} x_t + W_{hz} h_{t-1} + b_z) \\
        n_t &= \tanh(W_{xn} x_t + b_{xn} + r_t \odot (W_{hn} h_{t-1} + b_{hn})) \\
        h_t &= (1 - z_t) \odot n_t + z_t \odot h_{t-1}
        \end{aligned}

    The reset gate multiplies :math:`W_{hn} h_{t-1} + b_{hn}`, after the matrix product, as in
    PyTorch; Cho et al. (2014) apply it to :math:`h_{t-1}` before :math:`W_{hn}` (see
    :class:`GRUCell`). :meth:`from_torch` and :meth:`to_torch` copy the weights of a
    ``torch.nn.GRU``, whose ``weight_ih_l0`` and ``weight_hh_l0`` stack their rows r, z, n as
    ``W_x`` and ``W_h`` do.

    Args:
        input_size: number of features :math:`I` of each input :math:`x_t`.
        hidden_size: number of hidden units :math:`H`.

    Attributes:
        cell: the :class:`GRUCell` holding ``W_x`` ``(3H, I)``, ``W_h`` ``(3H, H)``, ``b`` ``(3H,)``
            (:math:`b_r, b_z, b_{hn}`) and ``b_xn`` ``(H,)``.

    Shapes:
        ``x``: ``(B, T, I)``, batch first. ``h0``: ``(B, H)``, zeros when omitted.
        :meth:`forward` returns ``(out, h)``: every hidden state ``out`` ``(B, T, H)`` and the last
        one ``h`` ``(B, H)``, as :class:`~lstm_course.RNN` does. :meth:`trace` returns a :class:`GRUTrace`.

    Example:
        >>> gru = GRU(input_size=1, hidden_size=32)
        >>> x = torch.randn(8, 50, 1)
        >>> out, h = gru(x)
        >>> out.shape, gru.trace(x).gates["update"].shape
        (torch.Size([8, 50, 32]), torch.Size([8, 50, 32]))
    """

    def __init__(self, input_size: int, hidden_size: int) -> None:
        super().__init__()
        self.cell = GRUCell(input_size, hidden_size)
        self.input_size, self.hidden_size = input_size, hidden_size

    def _steps(self, x: torch.Tensor, h0: torch.Tensor | None) -> list[tuple[torch.Tensor, Gates]]:
        """``(h_t, gates)`` of every step: the input part for all steps at once, then the cell's step."""
        x = check_sequence_input(x, self.input_size)
        h = initial_rnn_state("h0", h0, x.shape[0], self.hidden_size, like=x)
        steps = []
        for input_t in self.cell.input_part(x).unbind(dim=1):  # W_x x_t + (0, 0, b_xn), each (B, 3H)
            h, gates = self.cell.step(input_t, h)  # (B, H), each gate (B, H)
            steps.append((h, gates))
        return steps

    def forward(self, x: torch.Tensor, h0: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        """Every hidden state ``(B, T, H)`` and the last one ``(B, H)``."""
        steps = self._steps(x, h0)
        return torch.stack([h for h, _ in steps], dim=1), steps[-1][0]

    def trace(self, x: torch.Tensor, h0: torch.Tensor | None = None) -> GRUTrace:
        """The same computation as :meth:`forward`, keeping every gate's activation."""
        steps = self._steps(x, h0)
        return GRUTrace(
            hidden=torch.stack([h for h, _ in steps], dim=1),
            gates={name: torch.stack([gates[name] for _, gates in steps], dim=1) for name in GRU_GATE_ORDER},
        )

    @classmethod
    def from_torch(cls, torch_gru: nn.GRU) -> GRU:
        """Build a :class:`GRU` with the weights of a one-layer ``torch.nn.GRU`` (with bias)."""
        check_torch_module("torch_gru", torch_gru, nn.GRU)
        weight, H = torch_gru.weight_ih_l0, torch_gru.hidden_size
        gru = cls(torch_gru.input_size, H).to(dtype=weight.dtype, device=weight.device)
        gates = slice(0, 2 * H)  # the r and z rows
        with torch.no_grad():
            gru.cell.W_x.copy_(torch_gru.weight_ih_l0)
            gru.cell.W_h.copy_(torch_gru.weight_hh_l0)
            gru.cell.b.copy_(torch_gru.bias_hh_l0)  # b_hn, and the gates' recurrent biases ...
            gru.cell.b[gates] += torch_gru.bias_ih_l0[gates]  # ... plus their input biases
            gru.cell.b_xn.copy_(torch_gru.bias_ih_l0[2 * H :])
        return gru

    def to_torch(self) -> nn.GRU:
        """A batch-first ``torch.nn.GRU`` that computes the same numbers as this model.

        ``bias_ih_l0`` holds :math:`b_r, b_z, b_{xn}` and ``bias_hh_l0`` holds :math:`0, 0, b_{hn}`:
        of the two biases PyTorch adds for each gate, the recurrent one is zero, as in
        :meth:`lstm_course.LSTM.to_torch`; the candidate's two are not a sum and keep their values.
        """
        weight, H = self.cell.W_x, self.hidden_size
        torch_gru = nn.GRU(self.input_size, H, batch_first=True).to(dtype=weight.dtype, device=weight.device)
        with torch.no_grad():
            torch_gru.weight_ih_l0.copy_(self.cell.W_x)
            torch_gru.weight_hh_l0.copy_(self.cell.W_h)
            torch_gru.bias_ih_l0.copy_(torch.cat([self.cell.b[: 2 * H], self.cell.b_xn]))
            torch_gru.bias_hh_l0.copy_(F.pad(self.cell.b[2 * H :], (2 * H, 0)))
        return torch_gru

    def extra_repr(self) -> str:
        return f"input_size={self.input_size}, hidden_size={self.hidden_size}"
