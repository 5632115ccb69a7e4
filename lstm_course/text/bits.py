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
from collections.abc import Sequence
from typing import Any, Protocol

import torch
from torch.nn import functional as F

from ..validation import (
    check_bool,
    check_float_tensor,
    check_ids,
    check_non_negative_int,
    check_positions,
    check_positive_int,
)
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
    return bits_on_streams(model, Streams(ids, batch_size=1, chunk_length=chunk_length))  # checks ids


@torch.no_grad()
def bits_on_streams(model: CharacterModel, streams: Streams) -> float:
    """The mean bits per character of ``model`` on every target of ``streams``, the state carried along each stream.

    On one stream this is :func:`bits_per_character`. On several parallel streams it is a cheaper
    estimate, used to follow training: each stream after the first starts without its past, so the
    estimate is a little worse than the model is. The model is left in evaluation mode.
    """
    if not isinstance(streams, Streams):
        raise TypeError(f"streams must be a Streams, got {type(streams).__name__}")
    if isinstance(model, torch.nn.Module):
        model.eval()
    total_bits, state = 0.0, None
    for inputs, targets in streams:
        logits, state = model(inputs, state)  # (B, k, V)
        total_bits += cross_entropy_in_bits(logits, targets).item() * targets.numel()
    return total_bits / streams.targets.numel()


@torch.no_grad()
def bits_along_stream(
    model: CharacterModel, ids: torch.Tensor, chunk_length: int = 100, reset: bool = False
) -> torch.Tensor:
    """The bits on every character after the first, ``(N - 1,)``: entry ``t - 1`` is :math:`-\\log_2 p(x_t \\mid \\dots)`.

    The model reads the text as one stream in chunks of ``chunk_length``, as in
    :func:`bits_per_character` (whose value is this tensor's mean, to float rounding). With
    ``reset=True`` the state is reset to zero at the start of every chunk instead of carried, so
    the first characters of each chunk are predicted from little or no past: comparing the two by
    position within the chunk shows what the carried state is worth.
    """
    check_positive_int("chunk_length", chunk_length)
    check_bool("reset", reset)
    if isinstance(model, torch.nn.Module):
        model.eval()
    bits, state = [], None
    for inputs, targets in Streams(ids, batch_size=1, chunk_length=chunk_length):  # checks ids
        logits, state = model(inputs, None if reset else state)  # (1, k, V)
        bits.append(F.cross_entropy(logits[0], targets[0], reduction="none") / math.log(2))  # (k,)
    return torch.cat(bits)


@torch.no_grad()
def bits_by_context(
    model: CharacterModel,
    ids: torch.Tensor,
    positions: torch.Tensor | Sequence[int],
    contexts: Sequence[int],
    warm_up: int = 0,
    seed: int = 0,
) -> dict[int, torch.Tensor]:
    """How well ``model`` predicts ``ids[t]`` when it may read only the ``k`` characters before it.

    For each context length ``k`` in ``contexts``, the model reads ``ids[t - k : t]`` and scores
    ``ids[t]``, for every ``t`` in ``positions``; the result maps ``k`` to the bits on those
    characters, a tensor ``(P,)`` in the order of ``positions``. Where the loss stops falling as
    ``k`` grows, the model no longer uses more of the past.

    The model starts reading either from the zero state (``warm_up=0``) or, with ``warm_up > 0``,
    from the state left by ``warm_up`` characters from a random other place of the text (drawn
    with ``seed``, the same places for every ``k``). A zero state is one the model rarely meets in
    training, where every chunk but the first starts from a carried state, so part of the loss at
    a short context may be the cost of the unusual start; the warm start is the control: a familiar
    state that holds nothing about the characters before ``t``. With a zero start and ``k = t``
    the model reads exactly what :func:`bits_along_stream` lets it read, and gives the same bits.
    """
    if isinstance(contexts, (str, torch.Tensor)) or not isinstance(contexts, Sequence) or not contexts:
        raise TypeError(f"contexts must be a non-empty sequence of context lengths (ints), got {contexts!r:.60}")
    for k in contexts:
        check_positive_int("each context", k)
    check_non_negative_int("warm_up", warm_up, "characters read from elsewhere before the context")
    ids = check_ids(ids, minimum=max(contexts) + 1 + warm_up)
    positions = check_positions(
        positions, max(contexts), len(ids), f"each position needs the longest context, {max(contexts)} characters"
    )
    if isinstance(model, torch.nn.Module):
        model.eval()
    state = None
    if warm_up:
        places = torch.randint(0, len(ids) - warm_up, (len(positions),), generator=torch.Generator().manual_seed(seed))
        _, state = model(torch.stack([ids[s : s + warm_up] for s in places.tolist()]), None)  # (P, warm_up)
    result = {}
    for k in contexts:
        windows = torch.stack([ids[t - k : t] for t in positions.tolist()])  # (P, k)
        logits, _ = model(windows, state)  # (P, k, V)
        result[k] = F.cross_entropy(logits[:, -1], ids[positions], reduction="none") / math.log(2)  # (P,)
    return result
