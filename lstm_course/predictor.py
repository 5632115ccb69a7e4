"""A recurrent core with a linear readout: the model every chapter trains on a task."""

from __future__ import annotations

import typing

import torch
from torch import nn

from .cells import GATE_NAMES, keep_rows_fixed
from .gru import GRU
from .models import LSTM, RNN
from .tasks import Task
from .validation import check_positive_int
from .variants import CIFGLSTM, PeepholeLSTM

ScratchCore = RNN | LSTM | GRU | PeepholeLSTM | CIFGLSTM
"""The lstm_course models a predictor's core may be."""

TORCH_CORES = {nn.RNN: RNN, nn.LSTM: LSTM, nn.GRU: GRU}
"""The ``torch.nn`` modules a core may also be, each with the lstm_course model that computes what it computes."""

Core = ScratchCore | nn.RNN | nn.LSTM | nn.GRU
"""Every kind of core: an lstm_course model, or one of :data:`TORCH_CORES`."""


class Predictor(nn.Module):
    """A recurrent core with a linear readout.

    The readout :math:`\\hat y_t = W_y h_t + b_y` is applied to every hidden state; the task decides
    which steps it scores. Maps ``x`` ``(B, T, I)`` to predictions ``(B, T, output_size)``.

    The core is an :class:`~lstm_course.RNN`, an :class:`~lstm_course.LSTM`, or one of the variants
    a later chapter compares with the LSTM: :class:`~lstm_course.gru.GRU`,
    :class:`~lstm_course.variants.PeepholeLSTM`, :class:`~lstm_course.variants.CIFGLSTM`. It may
    also be the equivalent one-layer, batch-first ``torch.nn.RNN``, ``torch.nn.LSTM`` or
    ``torch.nn.GRU`` (see :meth:`to_torch`): the same numbers, computed by PyTorch's fused kernels.

    Example:
        >>> from lstm_course import tasks
        >>> task = tasks.DelayedRecall(lag=5)
        >>> model = Predictor.lstm(task, seed=0, forget_bias=2.0)  # 32 units, weights drawn after seeding
        >>> model(task.sample(8)[0]).shape
        torch.Size([8, 6, 4])
    """

    def __init__(self, core: Core, output_size: int) -> None:
        super().__init__()
        if not isinstance(core, Core):
            raise TypeError(
                f"core must be an lstm_course {_names(typing.get_args(ScratchCore))}, or a torch.nn "
                f"{_names(TORCH_CORES)}, got {type(core).__name__}"
            )
        if isinstance(core, tuple(TORCH_CORES)) and not (
            core.batch_first and core.num_layers == 1 and not core.bidirectional
        ):
            raise ValueError(
                f"core must have batch_first=True, num_layers=1 and bidirectional=False when it is a torch.nn "
                f"module, got batch_first={core.batch_first}, num_layers={core.num_layers}, "
                f"bidirectional={core.bidirectional}"
            )
        self.core = core
        self.readout = nn.Linear(core.hidden_size, check_positive_int("output_size", output_size))

    @classmethod
    def rnn(cls, task: Task, seed: int, hidden_size: int = 32) -> Predictor:
        """An :class:`~lstm_course.RNN` with a readout sized for ``task``, its weights drawn after ``torch.manual_seed(seed)``."""
        torch.manual_seed(seed)
        return cls(RNN(task.input_size, hidden_size), task.output_size)

    @classmethod
    def lstm(
        cls,
        task: Task,
        seed: int,
        hidden_size: int = 32,
        gates: tuple[str, ...] = GATE_NAMES,
        forget_bias: float | None = None,
    ) -> Predictor:
        """An :class:`~lstm_course.LSTM` with a readout sized for ``task``, its weights drawn after ``torch.manual_seed(seed)``.

        ``gates`` and ``forget_bias`` are the LSTM's (see :class:`~lstm_course.LSTM`).
        """
        torch.manual_seed(seed)
        core = LSTM(task.input_size, hidden_size, gates=gates, forget_bias=forget_bias)
        return cls(core, task.output_size)

    @classmethod
    def gru(cls, task: Task, seed: int, hidden_size: int = 32) -> Predictor:
        """A :class:`~lstm_course.gru.GRU` with a readout for ``task``, drawn after ``torch.manual_seed(seed)``."""
        torch.manual_seed(seed)
        return cls(GRU(task.input_size, hidden_size), task.output_size)

    @classmethod
    def peephole_lstm(cls, task: Task, seed: int, hidden_size: int = 32, forget_bias: float | None = None) -> Predictor:
        """A :class:`~lstm_course.variants.PeepholeLSTM` with a readout, drawn after ``torch.manual_seed(seed)``.

        Its peepholes start at zero and its other weights are those of ``Predictor.lstm(task, seed,
        hidden_size, forget_bias=forget_bias)``: the two predictors start equal.
        """
        torch.manual_seed(seed)
        return cls(PeepholeLSTM(task.input_size, hidden_size, forget_bias=forget_bias), task.output_size)

    @classmethod
    def cifg_lstm(cls, task: Task, seed: int, hidden_size: int = 32, forget_bias: float | None = None) -> Predictor:
        """A :class:`~lstm_course.variants.CIFGLSTM` with a readout, drawn after ``torch.manual_seed(seed)``.

        ``forget_bias`` sets where the forget gate starts, and so where its complement, the input gate, starts.
        """
        torch.manual_seed(seed)
        return cls(CIFGLSTM(task.input_size, hidden_size, forget_bias=forget_bias), task.output_size)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        hidden = self.core(x)[0]  # (B, T, H)
        return self.readout(hidden)  # (B, T, output_size)

    def to_torch(self) -> Predictor:
        """A copy whose core is the equivalent ``torch.nn`` module (the core's ``to_torch()``), readout copied.

        It computes the same numbers, to float rounding, and trains the same way, only faster: for a
        full LSTM 1.5 to 2 times as fast at the sizes of the course. PyTorch keeps two biases whose sum
        is the model's :math:`b`; only ``bias_ih_l0`` is trained, because an optimiser such as Adam
        would move each of two biases by a full step and so move their sum twice as fast. A gate
        the scratch model does not have stays fixed at 1 (see :meth:`lstm_course.LSTM.to_torch`).

        A GRU's copy trains the same way, with one difference: the candidate's recurrent bias
        :math:`b_{hn}` is no duplicate (it sits inside :math:`r_t \\odot (W_{hn} h_{t-1} + b_{hn})`,
        while its input bias sits outside), so it is kept in ``bias_hh_l0`` and trained there; only
        the reset and update gates' rows of ``bias_hh_l0`` stay at zero, their gradient zeroed at
        every backward pass (see :meth:`lstm_course.gru.GRU.to_torch`). A peephole or CIFG LSTM has
        no ``torch.nn`` equivalent: a predictor with one of those cores raises a TypeError.

        Those gradient hooks, and the ones that keep a frozen gate frozen, belong to this copy's
        parameters, and nothing else carries them: in a ``copy.deepcopy`` of this copy, or in a fresh
        ``torch.nn`` module loaded with its core's ``state_dict()``, the rows they held fixed train
        again (and a fresh module trains ``bias_hh_l0`` as well). To duplicate a copy, duplicate the
        lstm_course predictor and call ``to_torch`` on each duplicate.
        """
        if not isinstance(self.core, tuple(TORCH_CORES.values())):
            raise TypeError(
                f"to_torch needs an lstm_course core with a torch.nn equivalent ({_names(TORCH_CORES.values())}), "
                f"this one is {type(self.core).__name__}"
            )
        core = self.core.to_torch()
        if isinstance(core, nn.GRU):
            keep_rows_fixed(core.bias_hh_l0, slice(0, 2 * core.hidden_size))  # b_r, b_z live in bias_ih_l0
        else:
            core.bias_hh_l0.requires_grad_(False)
        return self._with_core(core)

    def to_scratch(self) -> Predictor:
        """The way back from :meth:`to_torch`: a copy with an lstm_course core, for traces and gradients.

        A ``torch.nn.LSTM`` comes back as a three-gate :class:`~lstm_course.LSTM`.
        """
        for torch_core, scratch_core in TORCH_CORES.items():
            if isinstance(self.core, torch_core):
                return self._with_core(scratch_core.from_torch(self.core))
        raise TypeError(f"to_scratch needs a torch.nn core, this one is {type(self.core).__name__}")

    def _with_core(self, core: Core) -> Predictor:
        """A new predictor with ``core`` and a copy of this readout, in the readout's dtype and on its device."""
        copy = Predictor(core, self.readout.out_features)
        copy.readout.to(dtype=self.readout.weight.dtype, device=self.readout.weight.device)
        copy.readout.load_state_dict(self.readout.state_dict())
        return copy


def _names(classes: typing.Iterable[type]) -> str:
    """``"RNN, LSTM or GRU"``: the classes' names, for an error message."""
    *others, last = [cls.__name__ for cls in classes]
    return f"{', '.join(others)} or {last}"


def check_predictor(model: object) -> Predictor:
    """Return ``model`` if it is a :class:`Predictor`; the tools that need a readout say so when given a bare core."""
    if not isinstance(model, Predictor):
        raise TypeError(f"model must be a Predictor (a recurrent core with a readout), got {type(model).__name__}")
    return model
