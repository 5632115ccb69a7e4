r"""Two variants of the LSTM, for comparing with the course's: peepholes, and coupled input and forget gates.

- :class:`PeepholeLSTM`: the gates also read the cell state (Gers and Schmidhuber, 2000).
- :class:`CIFGLSTM`: one gate decides both what to forget and what to write (the coupled input and
  forget gate of Greff et al., 2017, who set :math:`f_t = 1 - i_t`; we learn :math:`f_t` and set
  :math:`i_t = 1 - f_t`, which gives the same family of models).

Each changes one thing in the LSTM of :mod:`lstm_course.models`, and reuses the rest: the cells are
:class:`~lstm_course.cells.LSTMCell` with another :meth:`step`, so they store their weights the
same way (``W_x``, ``W_h``, ``b``, with :meth:`~lstm_course.cells.LSTMCell.gate_rows`), and the
cell and hidden states are updated by the same functions. The sequence models run the step at
every time step through autograd, and :meth:`trace` returns the :class:`~lstm_course.LSTMTrace` of
:meth:`lstm_course.LSTM.trace`, without its ``edit`` (:meth:`PeepholeLSTM.trace` says why).
Neither variant exists in ``torch.nn``, so neither has ``to_torch``.
"""

from __future__ import annotations

import torch
from torch import nn

from .cells import GATE_NAMES, LSTMCell, gate_blocks, initial_lstm_state, keep_rows_fixed, next_cell_state
from .cells import next_hidden_state
from .models import LSTM, LSTMTrace
from .validation import check_sequence_input

State = tuple[torch.Tensor, torch.Tensor]
Gates = dict[str, torch.Tensor]
Step = tuple[torch.Tensor, torch.Tensor, Gates]  # (h_t, c_t, every gate's activation), as LSTMCell.step returns


class PeepholeLSTMCell(LSTMCell):
    r"""One step of the :class:`PeepholeLSTM` (its equations are there): the LSTM's step, with peepholes.

    The weights are stored as in :class:`~lstm_course.LSTMCell` with all three gates, and the
    peepholes beside them. :meth:`step` computes the output gate after the cell state, which it
    reads.

    Args:
        input_size, hidden_size, forget_bias: as in :class:`PeepholeLSTM`.

    Attributes:
        W_x, W_h, b: shapes ``(4H, I)``, ``(4H, H)``, ``(4H,)``, row blocks input, forget, output
            gate, then candidate (:meth:`~lstm_course.LSTMCell.gate_rows` gives each block).
        p_i, p_f, p_o: the peephole weights, each ``(H,)``, zeros at first.

    Shapes:
        ``x``: ``(B, I)``; ``state``: a pair ``(h, c)`` each ``(B, H)``, zeros when omitted;
        returns ``(h_t, c_t)``, each ``(B, H)``.

    Example:
        >>> cell = PeepholeLSTMCell(input_size=3, hidden_size=5)
        >>> h, c = cell(torch.zeros(2, 3))
        >>> h.shape, cell.p_o.shape
        (torch.Size([2, 5]), torch.Size([5]))
    """

    def __init__(self, input_size: int, hidden_size: int, forget_bias: float | None = None) -> None:
        super().__init__(input_size, hidden_size, GATE_NAMES, forget_bias)
        self.p_i = nn.Parameter(torch.zeros(hidden_size))
        self.p_f = nn.Parameter(torch.zeros(hidden_size))
        self.p_o = nn.Parameter(torch.zeros(hidden_size))

    def step(self, input_part: torch.Tensor, h_prev: torch.Tensor, c_prev: torch.Tensor) -> Step:
        """The recurrence of one step, from the input part ``(B, 4H)`` and the previous states ``(B, H)``.

        Returns ``(h, c, gates)`` as :meth:`lstm_course.LSTMCell.step` does, without its ``edit``
        (:meth:`PeepholeLSTM.trace` says why).
        """
        z = gate_blocks(torch.addmm(input_part, h_prev, self.W_h.T), self.gates, self.hidden_size)  # each (B, H)
        i = torch.sigmoid(torch.addcmul(z["input"], self.p_i, c_prev))
        f = torch.sigmoid(torch.addcmul(z["forget"], self.p_f, c_prev))
        g = torch.tanh(z["candidate"])
        c = next_cell_state(c_prev, g, i=i, f=f)
        o = torch.sigmoid(torch.addcmul(z["output"], self.p_o, c))  # reads the new cell state
        return next_hidden_state(c, o=o), c, {"input": i, "forget": f, "output": o, "candidate": g}

    def freeze_gate(self, gate: str, bias: float) -> None:
        """:meth:`lstm_course.LSTMCell.freeze_gate`, and the gate's peephole set to 0 and kept there."""
        super().freeze_gate(gate, bias)
        peephole = {"input": self.p_i, "forget": self.p_f, "output": self.p_o}.get(gate)
        if peephole is not None:
            with torch.no_grad():
                peephole.zero_()
            keep_rows_fixed(peephole, slice(None))


class CIFGLSTMCell(LSTMCell):
    r"""One step of the :class:`CIFGLSTM` (its equations are there): the LSTM's step with :math:`i_t = 1 - f_t`.

    An :class:`~lstm_course.LSTMCell` with the gates ``("forget", "output")``, whose :meth:`step`
    adds the input gate as the forget gate's complement.

    Args:
        input_size, hidden_size, forget_bias: as in :class:`CIFGLSTM`.

    Attributes:
        gates: ``("forget", "output")``, the gates with weights.
        W_x, W_h, b: shapes ``(3H, I)``, ``(3H, H)``, ``(3H,)``, row blocks forget gate, output
            gate, candidate (:meth:`~lstm_course.LSTMCell.gate_rows` gives each block).

    Shapes:
        as :class:`PeepholeLSTMCell`'s.

    Example:
        >>> cell = CIFGLSTMCell(input_size=3, hidden_size=5)
        >>> h, c = cell(torch.zeros(2, 3))
        >>> h.shape, cell.W_x.shape
        (torch.Size([2, 5]), torch.Size([15, 3]))
    """

    def __init__(self, input_size: int, hidden_size: int, forget_bias: float | None = None) -> None:
        super().__init__(input_size, hidden_size, ("forget", "output"), forget_bias)

    def step(self, input_part: torch.Tensor, h_prev: torch.Tensor, c_prev: torch.Tensor) -> Step:
        """:meth:`lstm_course.LSTMCell.step`, whose ``edit`` adds the input gate :math:`1 - f_t` to ``gates``."""
        return super().step(input_part, h_prev, c_prev, edit=_couple_input_to_forget)


def _couple_input_to_forget(gates: Gates) -> Gates:
    """The gates with the input gate added as the forget gate's complement, :math:`i_t = 1 - f_t`."""
    return gates | {"input": 1 - gates["forget"]}


class _LSTMVariant(nn.Module):
    """A variant's cell run over a batch-first sequence; what :class:`PeepholeLSTM` and :class:`CIFGLSTM` share."""

    def __init__(self, cell: PeepholeLSTMCell | CIFGLSTMCell) -> None:
        super().__init__()
        self.cell = cell
        self.input_size, self.hidden_size = cell.input_size, cell.hidden_size

    def _steps(self, x: torch.Tensor, state: State | None) -> list[Step]:
        """``(h_t, c_t, gates)`` of every step: the input part for all steps at once, then the cell's step."""
        x = check_sequence_input(x, self.input_size)
        h, c = initial_lstm_state(state, x.shape[0], self.hidden_size, like=x)
        steps = []
        for input_t in self.cell.input_part(x).unbind(dim=1):  # W_x x_t + b, each (B, G*H)
            h, c, gates = self.cell.step(input_t, h, c)  # (B, H), (B, H), each gate (B, H)
            steps.append((h, c, gates))
        return steps

    def forward(self, x: torch.Tensor, state: State | None = None) -> tuple[torch.Tensor, State]:
        """Every hidden state ``(B, T, H)`` and the last ``(h, c)``, each ``(B, H)``."""
        steps = self._steps(x, state)
        h, c, _ = steps[-1]
        return torch.stack([h_t for h_t, _, _ in steps], dim=1), (h, c)

    def trace(self, x: torch.Tensor, state: State | None = None) -> LSTMTrace:
        """The same computation as :meth:`forward`, keeping every state and every gate's activation.

        Unlike :meth:`lstm_course.LSTM.trace`, it takes no ``edit``. In the peephole LSTM the output
        gate reads the new cell state, so no single point of the step sees every gate before it is
        used. In the CIFG LSTM the step's ``edit`` is the coupling :math:`i_t = 1 - f_t` itself: an
        edit of the forget gate would have to choose whether the input gate follows it, and either
        choice changes the model being measured. To hold a gate fixed, use the cell's
        :meth:`~lstm_course.LSTMCell.freeze_gate`; a frozen CIFG forget gate fixes the input gate too.
        """
        steps = self._steps(x, state)
        return LSTMTrace(
            hidden=torch.stack([h for h, _, _ in steps], dim=1),
            cell=torch.stack([c for _, c, _ in steps], dim=1),
            gates={name: torch.stack([gates[name] for _, _, gates in steps], dim=1)
                   for name in (*GATE_NAMES, "candidate")},
        )

    def extra_repr(self) -> str:
        return f"input_size={self.input_size}, hidden_size={self.hidden_size}"


class PeepholeLSTM(_LSTMVariant):
    r"""A one-layer LSTM with peephole connections over a whole sequence: its gates also read the cell state.

    At every step :math:`t = 1, \dots, T`:

    .. math::
        \begin{aligned}
        i_t &= \sigma(W_{xi} x_t + W_{hi} h_{t-1} + p_i \odot c_{t-1} + b_i) \\
        f_t &= \sigma(W_{xf} x_t + W_{hf} h_{t-1} + p_f \odot c_{t-1} + b_f) \\
        g_t &= \tanh(W_{xg} x_t + W_{hg} h_{t-1} + b_g) \\
        c_t &= f_t \odot c_{t-1} + i_t \odot g_t \\
        o_t &= \sigma(W_{xo} x_t + W_{ho} h_{t-1} + p_o \odot c_t + b_o) \\
        h_t &= o_t \odot \tanh(c_t)
        \end{aligned}

    The symbols are those of :class:`~lstm_course.LSTM`, and the peephole weights
    :math:`p_i, p_f, p_o` are vectors (one weight per unit: a diagonal matrix), as in Gers and
    Schmidhuber (2000). The input and forget gates look at the previous cell state
    :math:`c_{t-1}`; the output gate looks at the new one, :math:`c_t`. These equations are the
    "vanilla LSTM" of Greff et al. (2017), the baseline of their comparison of LSTM variants.

    The peepholes start at zero, where the equations are the LSTM's: a new peephole LSTM computes
    what the LSTM with the same ``W_x``, ``W_h`` and ``b`` computes, until training moves the
    peepholes (their gradients are not zero). Those weights are drawn as the LSTM draws its own,
    in the same order, so after the same seed the two models are equal; :meth:`from_lstm` gives
    a trained LSTM peepholes to learn.

    Args:
        input_size: number of features :math:`I` of each input :math:`x_t`.
        hidden_size: number of hidden units :math:`H`.
        forget_bias: initial value of every entry of :math:`b_f`; None (the default) gives 1.0, as in the LSTM.

    Attributes:
        cell: the :class:`PeepholeLSTMCell` holding ``W_x`` ``(4H, I)``, ``W_h`` ``(4H, H)`` and
            ``b`` ``(4H,)`` (row blocks input, forget, output gate, candidate) and the peepholes
            ``p_i``, ``p_f``, ``p_o``, each ``(H,)``.

    Shapes:
        ``x``: ``(B, T, I)``, batch first. ``state``: ``(h0, c0)``, each ``(B, H)``, zeros when omitted.
        :meth:`forward` returns ``(out, (h, c))``: every hidden state ``out`` ``(B, T, H)`` and the
        last states ``h``, ``c`` ``(B, H)``. :meth:`trace` returns an :class:`~lstm_course.LSTMTrace`.

    Example:
        >>> model = PeepholeLSTM(input_size=1, hidden_size=32)
        >>> x = torch.randn(8, 50, 1)
        >>> out, (h, c) = model(x)
        >>> out.shape, model.trace(x).gates["output"].shape
        (torch.Size([8, 50, 32]), torch.Size([8, 50, 32]))
    """

    def __init__(self, input_size: int, hidden_size: int, forget_bias: float | None = None) -> None:
        super().__init__(PeepholeLSTMCell(input_size, hidden_size, forget_bias))

    @classmethod
    def from_lstm(cls, lstm: LSTM) -> PeepholeLSTM:
        """A peephole LSTM with the weights of a three-gate :class:`~lstm_course.LSTM` and zero peepholes.

        It computes what ``lstm`` computes. (For a ``torch.nn.LSTM``, use
        ``PeepholeLSTM.from_lstm(LSTM.from_torch(torch_lstm))``.) Gates frozen in ``lstm`` are not
        frozen in the copy.
        """
        if not isinstance(lstm, LSTM):
            raise TypeError(f"lstm must be an lstm_course LSTM, got {type(lstm).__name__}")
        if lstm.gates != GATE_NAMES:
            raise ValueError(f"lstm must have all three gates {GATE_NAMES}, got gates={lstm.gates}")
        weight = lstm.cell.W_x
        model = cls(lstm.input_size, lstm.hidden_size).to(dtype=weight.dtype, device=weight.device)
        with torch.no_grad():
            for name in ("W_x", "W_h", "b"):
                getattr(model.cell, name).copy_(getattr(lstm.cell, name))
        return model


class CIFGLSTM(_LSTMVariant):
    r"""A one-layer LSTM with coupled input and forget gates (CIFG) over a whole sequence: :math:`i_t = 1 - f_t`.

    At every step :math:`t = 1, \dots, T`:

    .. math::
        \begin{aligned}
        f_t &= \sigma(W_{xf} x_t + W_{hf} h_{t-1} + b_f), \qquad i_t = 1 - f_t \\
        o_t &= \sigma(W_{xo} x_t + W_{ho} h_{t-1} + b_o) \\
        g_t &= \tanh(W_{xg} x_t + W_{hg} h_{t-1} + b_g) \\
        c_t &= f_t \odot c_{t-1} + (1 - f_t) \odot g_t \\
        h_t &= o_t \odot \tanh(c_t)
        \end{aligned}

    with the symbols of :class:`~lstm_course.LSTM`. One gate decides both what to forget and what
    to write: each unit's cell state moves towards the candidate by the share :math:`1 - f_t` of
    the way. The input gate has no weights, so the model has a quarter fewer than the LSTM.

    Greff et al. (2017) coupled the gates of their vanilla LSTM, which has peepholes (the
    :class:`PeepholeLSTM`); this model couples the course's LSTM, without peepholes, so that the
    coupling is the only change. They learn the input gate and set :math:`f_t = 1 - i_t`; we learn
    the forget gate and set :math:`i_t = 1 - f_t`. The two give the same family of models: since
    :math:`1 - \sigma(a) = \sigma(-a)`, their input gate with its weights and bias negated is our
    :math:`1 - f_t`, so every model of one form is a model of the other.

    Learning :math:`f_t` keeps ``forget_bias`` meaning what it means in the LSTM, and makes it set
    where the input gate starts too: at the default 1.0, :math:`f_t` starts near
    :math:`\sigma(1) \approx 0.73` and :math:`i_t` near :math:`\sigma(-1) \approx 0.27` (in their
    form, an input-gate bias of -1), so each step at first keeps most of the cell state and writes
    about a quarter of the candidate. A larger forget bias keeps more and writes less. The trace's
    ``"input"`` is :math:`1 - f_t`.

    Args:
        input_size: number of features :math:`I` of each input :math:`x_t`.
        hidden_size: number of hidden units :math:`H`.
        forget_bias: initial value of every entry of :math:`b_f`; None (the default) gives 1.0, as in the LSTM.

    Attributes:
        cell: the :class:`CIFGLSTMCell` holding ``W_x`` ``(3H, I)``, ``W_h`` ``(3H, H)`` and ``b``
            ``(3H,)``, row blocks forget gate, output gate, candidate.

    Shapes:
        ``x``: ``(B, T, I)``, batch first. ``state``: ``(h0, c0)``, each ``(B, H)``, zeros when omitted.
        :meth:`forward` returns ``(out, (h, c))``: every hidden state ``out`` ``(B, T, H)`` and the
        last states ``h``, ``c`` ``(B, H)``. :meth:`trace` returns an :class:`~lstm_course.LSTMTrace`.

    Example:
        >>> model = CIFGLSTM(input_size=1, hidden_size=32)
        >>> trace = model.trace(torch.randn(8, 50, 1))
        >>> bool(torch.equal(trace.gates["input"], 1 - trace.gates["forget"]))
        True
    """

    def __init__(self, input_size: int, hidden_size: int, forget_bias: float | None = None) -> None:
        super().__init__(CIFGLSTMCell(input_size, hidden_size, forget_bias))

