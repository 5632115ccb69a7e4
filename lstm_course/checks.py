"""Argument checks shared by the models, cells and tasks.

Every public entry point validates its inputs here, so a learner who passes the wrong
shape gets a message that names the argument, what was expected and what was given,
instead of a matrix-multiplication error from deep inside PyTorch.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch


def check_positive_int(name: str, value: object) -> int:
    """Return ``value`` if it is a positive ``int``; raise otherwise."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be a positive int, got {type(value).__name__} {value!r}")
    if value < 1:
        raise ValueError(f"{name} must be a positive int, got {value}")
    return value


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
