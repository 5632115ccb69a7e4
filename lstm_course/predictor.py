"""A recurrent core with a linear readout: the model every chapter trains on a task."""

from __future__ import annotations

import torch
from torch import nn

from .cells import GATE_NAMES
from .models import LSTM, RNN
from .tasks import Task
from .validation import check_positive_int


class Predictor(nn.Module):
    """A recurrent core (:class:`~lstm_course.RNN` or :class:`~lstm_course.LSTM`) with a linear readout.

    The readout :math:`\\hat y_t = W_y h_t + b_y` is applied to every hidden state; the task decides
    which steps it scores. Maps ``x`` ``(B, T, I)`` to predictions ``(B, T, output_size)``.

    The core may also be the equivalent one-layer, batch-first ``torch.nn.RNN`` or
    ``torch.nn.LSTM`` (see :meth:`to_torch`): the same numbers, computed by PyTorch's fused kernels.

    Example:
        >>> from lstm_course import tasks
        >>> task = tasks.DelayedRecall(lag=5)
        >>> model = Predictor.lstm(task, seed=0, forget_bias=2.0)  # 32 units, weights drawn after seeding
        >>> model(task.sample(8)[0]).shape
        torch.Size([8, 6, 4])
    """

    def __init__(self, core: RNN | LSTM | nn.RNN | nn.LSTM, output_size: int) -> None:
        super().__init__()
        if not isinstance(core, (RNN, LSTM, nn.RNN, nn.LSTM)):
            raise TypeError(f"core must be an lstm_course RNN or LSTM, or its torch.nn copy, got {type(core).__name__}")
        if isinstance(core, (nn.RNN, nn.LSTM)) and not (core.batch_first and core.num_layers == 1):
            raise ValueError(
                f"core must have batch_first=True and num_layers=1 when it is a torch.nn module, "
                f"got batch_first={core.batch_first}, num_layers={core.num_layers}"
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
        """
        if not isinstance(self.core, (RNN, LSTM)):
            raise TypeError(f"to_torch needs an lstm_course core, this one is {type(self.core).__name__}")
        core = self.core.to_torch()
        core.bias_hh_l0.requires_grad_(False)
        return self._with_core(core)

    def to_scratch(self) -> Predictor:
        """The way back from :meth:`to_torch`: a copy with an lstm_course core, for traces and gradients.

        A ``torch.nn.LSTM`` comes back as a three-gate :class:`~lstm_course.LSTM`.
        """
        if isinstance(self.core, nn.LSTM):
            return self._with_core(LSTM.from_torch(self.core))
        if isinstance(self.core, nn.RNN):
            return self._with_core(RNN.from_torch(self.core))
        raise TypeError(f"to_scratch needs a torch.nn core, this one is {type(self.core).__name__}")

    def _with_core(self, core: nn.Module) -> Predictor:
        """A new predictor with ``core`` and a copy of this readout."""
        copy = Predictor(core, self.readout.out_features)
        copy.readout.load_state_dict(self.readout.state_dict())
        return copy


def check_predictor(model: object) -> Predictor:
    """Return ``model`` if it is a :class:`Predictor`; the tools that need a readout say so when given a bare core."""
    if not isinstance(model, Predictor):
        raise TypeError(f"model must be a Predictor (a recurrent core with a readout), got {type(model).__name__}")
    return model
