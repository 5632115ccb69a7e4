"""The argument checks that the package's modules share.

The public entry points validate their inputs with these functions, so a learner who passes the
wrong shape gets a message that names the argument, what was expected and what was given,
instead of a matrix-multiplication error from deep inside PyTorch. (The exercise checkers,
which judge a learner's answers, are in :mod:`lstm_course.exercises`.)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from numbers import Real

import torch
from torch import nn


def check_positive_int(name: str, value: object) -> int:
    """Return ``value`` if it is a positive ``int``; raise otherwise."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be a positive int, got {type(value).__name__} {value!r}")
    if value < 1:
        raise ValueError(f"{name} must be a positive int, got {value}")
    return value


def check_bool(name: str, value: object) -> bool:
    """Return ``value`` if it is ``True`` or ``False``; raise otherwise (a string such as ``"no"`` is not)."""
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be True or False, got {type(value).__name__} {value!r}")
    return value


def check_non_negative_int(name: str, value: object, meaning: str) -> int:
    """Return ``value`` if it is an ``int`` of at least 0; ``meaning`` says what it counts."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"{name} must be a non-negative int ({meaning}), got {value!r}")
    return value


def check_positive_number(name: str, value: object) -> float:
    """Return ``value`` as a float if it is a real number above 0; raise otherwise."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
        raise ValueError(f"{name} must be a positive number, got {value!r}")
    return float(value)


def check_non_negative_number(name: str, value: object) -> float:
    """Return ``value`` as a float if it is a real number of at least 0; raise otherwise."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value >= 0:
        raise ValueError(f"{name} must be a number of at least 0, got {value!r}")
    return float(value)


def check_finite_number_or_none(name: str, value: object) -> float | None:
    """Return ``value`` as a float if it is a finite real number; None, which stands for the default, as None."""
    if value is None:
        return None
    expected = f"{name} must be a finite number, or None for the default"
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(f"{expected}, got {type(value).__name__} {value!r}")
    if not math.isfinite(value):
        raise ValueError(f"{expected}, got {value!r}")
    return float(value)


def check_probability(name: str, value: object) -> float:
    """Return ``value`` as a float if it is a number in (0, 1]; raise otherwise."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{name} must be a number in (0, 1], got {type(value).__name__} {value!r}")
    if not 0.0 < value <= 1.0:
        raise ValueError(f"{name} must be in (0, 1], got {value}")
    return float(value)


def check_n_symbols(n_symbols: object) -> int:
    """Return ``n_symbols`` if it is an int of at least 2, the smallest alphabet with a choice in it."""
    n_symbols = check_positive_int("n_symbols", n_symbols)
    if n_symbols < 2:
        raise ValueError(f"n_symbols must be at least 2 for a choice to exist, got {n_symbols}")
    return n_symbols


def check_length(length: object, minimum: int, reason: str) -> int:
    """Return ``length`` if it is an int of at least ``minimum``; the error message gives ``reason``."""
    length = check_positive_int("length", length)
    if length < minimum:
        raise ValueError(f"length must be at least {minimum}, {reason}, got {length}")
    return length


def check_float_tensor(name: str, value: object) -> torch.Tensor:
    """Return ``value`` if it is a floating-point tensor; raise otherwise."""
    if not isinstance(value, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor, got {type(value).__name__}")
    if not value.is_floating_point():
        raise TypeError(
            f"{name} must be a floating-point tensor (float32 or float64), got dtype {value.dtype}; "
            f"convert it with {name}.float()"
        )
    return value


def check_sequence_input(x: object, input_size: int) -> torch.Tensor:
    """Check a batch-first sequence batch ``x`` of shape ``(batch, time, input_size)``."""
    x = check_float_tensor("x", x)
    if x.dim() != 3:
        raise ValueError(
            f"x must have shape (batch, time, features) = (B, T, {input_size}), "
            f"got {x.dim()} dimensions with shape {tuple(x.shape)}"
        )
    if x.shape[2] != input_size:
        raise ValueError(
            f"x must have {input_size} features in its last dimension (the model's input_size), "
            f"got shape {tuple(x.shape)}"
        )
    if x.shape[1] == 0:
        raise ValueError(f"x must have at least one time step, got shape {tuple(x.shape)}")
    return x


def check_step_input(x: object, input_size: int) -> torch.Tensor:
    """Check one time step ``x`` of shape ``(batch, input_size)``."""
    x = check_float_tensor("x", x)
    if x.dim() != 2 or x.shape[1] != input_size:
        raise ValueError(
            f"x must have shape (batch, input_size) = (B, {input_size}) for one time step, "
            f"got shape {tuple(x.shape)}"
        )
    return x


def check_state(name: str, state: object, batch_size: int, hidden_size: int, like: torch.Tensor) -> torch.Tensor:
    """Check a recurrent state tensor of shape ``(batch, hidden_size)`` matching ``like``'s dtype."""
    state = check_float_tensor(name, state)
    expected = (batch_size, hidden_size)
    if tuple(state.shape) != expected:
        raise ValueError(f"{name} must have shape (batch, hidden_size) = {expected}, got {tuple(state.shape)}")
    if state.dtype != like.dtype:
        raise TypeError(f"{name} must have the same dtype as x ({like.dtype}), got {state.dtype}")
    return state


def check_gate_names(gates: object, known: Sequence[str]) -> tuple[str, ...]:
    """Return ``gates`` as a tuple in the canonical order of ``known``; raise on unknown or repeated names."""
    if isinstance(gates, str) or not isinstance(gates, Sequence):
        raise TypeError(f"gates must be a tuple of gate names from {tuple(known)}, got {gates!r}")
    unknown = [gate for gate in gates if gate not in known]
    if unknown:
        raise ValueError(f"gates must be names from {tuple(known)}, got unknown name(s) {unknown}")
    if len(set(gates)) != len(gates):
        raise ValueError(f"gates must not repeat a name, got {tuple(gates)}")
    return tuple(gate for gate in known if gate in gates)


def check_torch_module(name: str, module: object, kind: type[nn.Module]) -> nn.Module:
    """Check that ``module`` is a one-layer, one-direction ``kind`` (``torch.nn.RNN``/``LSTM``/``GRU``) with biases."""
    if not isinstance(module, kind):
        raise TypeError(f"{name} must be a torch.nn.{kind.__name__}, got {type(module).__name__}")
    if module.num_layers != 1 or module.bidirectional or not module.bias:
        raise ValueError(
            f"{name} must be a one-layer, one-direction torch.nn.{kind.__name__} with bias, got "
            f"num_layers={module.num_layers}, bidirectional={module.bidirectional}, bias={module.bias}"
        )
    return module


def check_model_fits_task(name: str, model: object, task: object) -> None:
    """Check that a predictor ``model`` reads ``task``'s inputs and gives its outputs (``input_size``, ``output_size``)."""
    expected = (task.input_size, task.output_size)
    sizes = (model.core.input_size, model.readout.out_features)
    if sizes != expected:
        raise ValueError(f"{name} must match the task's (input_size, output_size) = {expected}, got {sizes}")


def check_positions(positions: object, low: int, high: int, meaning: str) -> torch.Tensor:
    """Return ``positions`` as a 1-D LongTensor if it is a non-empty sequence or 1-D tensor of ints in ``[low, high)``.

    ``meaning`` says why the bounds are what they are, for the error message.
    """
    if isinstance(positions, torch.Tensor):
        if positions.dim() != 1 or positions.is_floating_point() or positions.is_complex() or positions.dtype == torch.bool:
            raise TypeError(f"positions must be a 1-D tensor of ints, got {positions.dim()}-D {positions.dtype}")
    elif not isinstance(positions, Sequence) or not all(
        isinstance(t, int) and not isinstance(t, bool) for t in positions
    ):
        raise TypeError(f"positions must be a sequence of ints or a 1-D integer tensor, got {positions!r:.60}")
    positions = torch.as_tensor(positions, dtype=torch.long)
    if len(positions) == 0:
        raise ValueError("positions must hold at least one position, got none")
    if not low <= int(positions.min()) <= int(positions.max()) < high:
        raise ValueError(
            f"positions must lie in [{low}, {high - 1}] ({meaning}), "
            f"got values from {int(positions.min())} to {int(positions.max())}"
        )
    return positions


def check_ids(ids: object, minimum: int) -> torch.Tensor:
    """Return ``ids`` if it is a 1-D integer tensor of at least ``minimum`` ids; raise otherwise."""
    if not isinstance(ids, torch.Tensor):
        given = type(ids).__name__
        raise TypeError(f"ids must be a torch.Tensor of character ids (Vocabulary.encode), got {given}")
    if ids.dtype != torch.long or ids.dim() != 1:
        raise TypeError(f"ids must be a 1-D LongTensor of character ids, got {ids.dim()}-D {ids.dtype}")
    if len(ids) < minimum:
        raise ValueError(f"ids must hold at least {minimum} characters, got {len(ids)}")
    return ids
