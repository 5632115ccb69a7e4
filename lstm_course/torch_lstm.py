"""Working with ``torch.nn.LSTM`` itself: where each gate's weights sit, and how to set its forget bias.

``torch.nn.LSTM`` stacks the four layers' weights in the order input gate, forget gate,
candidate, output gate (:data:`~lstm_course.models.TORCH_GATE_ORDER`) in every layer and
direction's ``weight_ih_l{k}``, ``weight_hh_l{k}``, ``bias_ih_l{k}`` and ``bias_hh_l{k}`` (the
reverse direction's names end in ``_reverse``). It keeps two biases, and a gate's bias is their
sum: setting the forget bias means setting both.
"""

from __future__ import annotations

import torch
from torch import nn

from .models import TORCH_GATE_ORDER
from .validation import check_gate_names


def gate_rows(parameter: torch.Tensor, gate: str) -> torch.Tensor:
    """The rows of ``gate`` (``"input"``, ``"forget"``, ``"candidate"`` or ``"output"``) in one of a
    ``torch.nn.LSTM``'s stacked parameters, ``(4H, ...)``, as a view: writing to it writes to the LSTM."""
    (gate,) = check_gate_names((gate,), TORCH_GATE_ORDER)
    if parameter.shape[0] % 4:
        raise ValueError(f"parameter must stack four blocks of rows, (4H, ...), got shape {tuple(parameter.shape)}")
    hidden_size = parameter.shape[0] // 4
    return parameter.narrow(0, TORCH_GATE_ORDER.index(gate) * hidden_size, hidden_size)


def set_forget_bias(lstm: nn.LSTM, value: float) -> None:
    """Make the forget gate's bias ``value`` in every layer and direction of ``lstm``.

    The gate's bias is ``bias_ih + bias_hh``, so ``bias_ih``'s forget rows are set to ``value``
    and ``bias_hh``'s to 0. Setting one of the two alone leaves the other's random start in the sum.
    """
    if not isinstance(lstm, nn.LSTM):
        raise TypeError(f"lstm must be a torch.nn.LSTM, got {type(lstm).__name__}")
    if not lstm.bias:
        raise ValueError("lstm has no biases (bias=False): there is no forget bias to set")
    with torch.no_grad():
        for name, parameter in lstm.named_parameters():
            if name.startswith("bias_ih"):
                gate_rows(parameter, "forget").fill_(value)
            elif name.startswith("bias_hh"):
                gate_rows(parameter, "forget").zero_()
