"""What the tests of the cells and the sequence models share: a batch of inputs, a random state, tolerances."""

import torch

TOLERANCE = {torch.float32: 1e-5, torch.float64: 1e-10}
"""How closely two computations of the same numbers must agree, by dtype."""


def batch(dtype=torch.float32, batch_size=3, steps=9, features=4, seed=0):
    """Inputs ``(batch_size, steps, features)``, the same for the same ``seed`` whatever the global seed."""
    generator = torch.Generator().manual_seed(seed)
    return torch.randn(batch_size, steps, features, generator=generator).to(dtype)


def random_state(dtype=torch.float32, batch_size=3, hidden_size=6):
    """An LSTM state ``(h, c)``, each ``(batch_size, hidden_size)``, drawn from the global seed."""
    return torch.randn(batch_size, hidden_size, dtype=dtype), torch.randn(batch_size, hidden_size, dtype=dtype)
