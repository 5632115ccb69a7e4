"""Bits per character: how a language model is scored on a text.

A model that gives the next character :math:`x_{t+1}` the probability :math:`p(x_{t+1} \\mid x_{\\le t})`
would need, with an ideal code built on those probabilities, :math:`-\\log_2 p(x_{t+1} \\mid x_{\\le t})`
bits to write that character down. The mean over a text,

.. math::

    \\text{bits per character} = -\\frac{1}{N-1} \\sum_{t=1}^{N-1} \\log_2 p(x_{t+1} \\mid x_{\\le t})
    = \\frac{\\text{cross-entropy in nats}}{\\ln 2},

is the score: lower is better. Guessing uniformly among :math:`V` characters costs
:math:`\\log_2 V` bits (6.27 for the book's 77 characters). PyTorch's ``cross_entropy`` uses
the natural logarithm, so its loss is in nats; dividing by :math:`\\ln 2` turns nats into bits.
"""

from __future__ import annotations

import math
from typing import Any, Protocol

import torch
from torch.nn import functional as F

from ..validation import check_float_tensor, check_positive_int
from .streams import Streams


class CharacterModel(Protocol):
    """A character-level language model, as :func:`bits_per_character` calls it.

    ``model(inputs, state)`` takes character ids ``inputs`` of shape ``(B, T)`` and the state left
    by the previous chunk (``None`` at the start of the text), and returns the logits of the next
    character at every step, shape ``(B, T, V)``, with the state to carry into the next chunk.
    """

    def __call__(self, inputs: torch.Tensor, state: Any) -> tuple[torch.Tensor, Any]: ...


def cross_entropy_in_bits(logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """The mean cross-entropy of ``logits`` ``(B, T, V)`` for ``targets`` ``(B, T)``, in bits per character.

    A scalar tensor that keeps its gradient, so it can also serve as a training loss (its gradient
    is that of the loss in nats, divided by :math:`\\ln 2`).
    """
    logits = check_float_tensor("logits", logits)
    if not isinstance(targets, torch.Tensor) or targets.dtype != torch.long:
        given = targets.dtype if isinstance(targets, torch.Tensor) else type(targets).__name__
        raise TypeError(f"targets must be a LongTensor of character ids, got {given}")
    if logits.dim() != 3 or tuple(logits.shape[:2]) != tuple(targets.shape):
        raise ValueError(
            f"logits must have shape (batch, time, vocabulary) = (B, T, V) with (B, T) the targets' shape "
            f"{tuple(targets.shape)}, got {tuple(logits.shape)}"
        )
    nats = F.cross_entropy(logits.flatten(0, 1), targets.flatten())  # mean over the B * T characters
    return nats / math.log(2)


@torch.no_grad()
def bits_per_character(model: CharacterModel, ids: torch.Tensor, chunk_length: int = 100) -> float:
    """The bits per character of ``model`` on the text whose character ids are ``ids``.

    The model reads the text as one stream, ``chunk_length`` characters at a time, carrying its state
    from each chunk into the next, so every character after the first is predicted from all the
    characters before it, as the formula in this module's docstring says. (Parallel streams would
    start some predictions without their past and score the model worse than it is.) A shorter
    ``chunk_length`` gives the same number, to float rounding, and takes longer. The model is put in
    evaluation mode (``model.eval()``) and left there, as :func:`lstm_course.training.evaluate` does.
    """
    check_positive_int("chunk_length", chunk_length)
    if isinstance(model, torch.nn.Module):
        model.eval()
    total_bits, state = 0.0, None
    streams = Streams(ids, batch_size=1, chunk_length=chunk_length)  # checks ids
    for inputs, targets in streams:
        logits, state = model(inputs, state)  # (1, k, V)
        total_bits += cross_entropy_in_bits(logits, targets).item() * targets.numel()
    return total_bits / streams.targets.numel()
