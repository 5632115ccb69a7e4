"""Training a character-level language model by truncated back-propagation through time."""

from __future__ import annotations

from dataclasses import dataclass, field

import torch
from torch import nn
from tqdm.auto import tqdm

from ..training import progress_bars_enabled
from ..validation import check_positive_int, check_positive_number
from .bits import bits_on_streams, cross_entropy_in_bits
from .models import detach_state
from .streams import Streams


@dataclass
class TextHistory:
    """What happened during :func:`train_truncated`.

    Attributes:
        loss: the training chunk's bits per character at each step.
        checkpoints: the steps (counted from 1) after which the validation text was scored.
        validation: the validation bits per character at each checkpoint (:func:`~lstm_course.text.bits_on_streams`).
    """

    loss: list[float] = field(default_factory=list)
    checkpoints: list[int] = field(default_factory=list)
    validation: list[float] = field(default_factory=list)


def train_truncated(
    model: nn.Module,
    train_ids: torch.Tensor,
    steps: int,
    batch_size: int = 64,
    chunk_length: int = 100,
    lr: float = 3e-3,
    clip: float = 1.0,
    validation: Streams | None = None,
    every: int = 100,
) -> TextHistory:
    """Train ``model`` in place by truncated back-propagation through time; return its :class:`TextHistory`.

    The text is cut into ``batch_size`` parallel streams read in chunks of ``chunk_length``
    (:class:`~lstm_course.text.Streams`). Each step reads one chunk, starting from the state the
    previous chunk left, and takes one Adam step on the chunk's cross-entropy in bits, with the
    gradient's norm clipped to ``clip``. The state is carried, so the model predicts from the whole
    past of each stream; it is detached at the chunk's start, so the gradient stops there. Without
    the detach, each backward pass would run back through every chunk read so far: its cost and
    memory would grow with every step, and it would reach into graphs whose weights the optimiser
    has since changed. The truncation is the trade: the forward pass sees the whole past, the
    gradient only the last ``chunk_length`` characters. After the last chunk, training wraps
    around to the first one with a zero state.

    Only the parameters that require a gradient are trained (``bias_hh_l0`` stays at 0, see
    :meth:`~lstm_course.text.CharModel.lstm`). The loop draws no random numbers: the same model
    (the same builder's ``seed``) and settings give the same history. With ``validation``
    streams, the model is scored on them every ``every`` steps and after the last step.
    """
    check_positive_int("steps", steps)
    check_positive_number("lr", lr)
    check_positive_number("clip", clip)
    check_positive_int("every", every)
    if validation is not None and not isinstance(validation, Streams):
        raise TypeError(f"validation must be a Streams of the validation text, or None, got {type(validation).__name__}")
    streams = Streams(train_ids, batch_size, chunk_length)  # checks train_ids, batch_size, chunk_length
    trainable = [p for p in model.parameters() if p.requires_grad]
    optimiser = torch.optim.Adam(trainable, lr=lr)
    history = TextHistory()
    chunks, state = iter(()), None
    model.train()
    for step in tqdm(range(1, steps + 1), desc="truncated BPTT", disable=not progress_bars_enabled()):
        chunk = next(chunks, None)
        if chunk is None:  # the start of a pass over the streams
            chunks, state = iter(streams), None
            chunk = next(chunks)
        inputs, targets = chunk  # (B, k), (B, k)
        logits, state = model(inputs, detach_state(state))  # (B, k, V)
        loss = cross_entropy_in_bits(logits, targets)
        optimiser.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(trainable, clip)
        optimiser.step()
        history.loss.append(loss.item())
        if validation is not None and (step % every == 0 or step == steps):
            history.checkpoints.append(step)
            history.validation.append(bits_on_streams(model, validation))
            model.train()
    return history
