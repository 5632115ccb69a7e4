"""Measuring gradients through time: the norms agree with autograd, the surviving fraction follows
the memory, the bound holds, and the tools of chapter 2 rescale ``W_h`` and fit the decay per step."""

import math

import pytest
import torch

from lstm_course import RNN, Predictor, gradients, tasks

KINDS = ["rnn", "lstm", "gru", "peephole_lstm", "cifg_lstm"]
"""The builders, ``Predictor.rnn`` ... ``Predictor.cifg_lstm``: every core the tools measure."""


def measured_norms(task, hidden_size, radius, seed, batch_size):
    """An untrained float64 RNN with the given spectral radius, and its gradient norms on one batch of ``task``."""
    model = Predictor.rnn(task, seed, hidden_size=hidden_size).double()
    gradients.set_spectral_radius(model.core, radius)
    x, y = task.sample(batch_size, generator=torch.Generator().manual_seed(0))
    return model, gradients.gradient_norms_through_time(model, task, x.double(), y).hidden


@pytest.mark.parametrize("kind", KINDS)
def test_the_last_steps_gradient_norm_matches_autograd_through_the_models_forward(kind):
    task = tasks.DelayedRecall(lag=6)
    model = getattr(Predictor, kind)(task, seed=0, hidden_size=8).double()
    x, y = task.sample(5, generator=torch.Generator().manual_seed(0))
    x = x.double()
    measured = gradients.gradient_norms_through_time(model, task, x, y)
    assert measured.hidden.shape == (task.length,)
    assert (measured.cell is None) == (kind in ("rnn", "gru"))  # the memory is h where there is no c
    assert all(p.grad is None for p in model.parameters())  # measuring leaves the parameters alone
    out = model.core(x)[0]
    out.retain_grad()
    (task.loss(model.readout(out), y) * 5).backward()  # the loss of each sequence, summed
    torch.testing.assert_close(measured.hidden[-1], out.grad[:, -1].norm(dim=1).mean())


@pytest.mark.parametrize("kind", KINDS)
def test_gradients_through_time_are_measured_for_every_core_and_its_torch_copy(kind):
    task = tasks.AddingProblem(10)
    model = getattr(Predictor, kind)(task, seed=0, hidden_size=4)
    x, y = task.sample(4, generator=torch.Generator().manual_seed(0))
    measured = gradients.gradient_norms_through_time(model, task, x, y)
    fraction = gradients.surviving_fraction(model, task, x, y)
    assert fraction.shape == (10,) and fraction[0] == 1.0
    if kind in ("rnn", "lstm", "gru"):
        copied = gradients.gradient_norms_through_time(model.to_torch(), task, x, y)
        torch.testing.assert_close(copied.hidden, measured.hidden)
        if kind == "lstm":
            torch.testing.assert_close(copied.cell, measured.cell)


def test_rnn_gradients_vanish_with_a_small_recurrent_matrix():
    task = tasks.DelayedRecall(lag=30)
    model = Predictor.rnn(task, seed=0, hidden_size=16)
    gradients.set_spectral_radius(model.core, 0.3)
    x, y = task.sample(16, generator=torch.Generator().manual_seed(0))
    norms = gradients.gradient_norms_through_time(model, task, x, y).hidden
    assert norms[0] < 1e-6 * norms[-1]


def test_the_surviving_fraction_of_an_lstm_follows_its_cell_state():
    """With ``W_h = 0`` and a constant forget gate f, the gradient along c shrinks by exactly f per step."""
    task, f = tasks.DelayedRecall(lag=12), 0.9
    model = Predictor.lstm(task, seed=0, hidden_size=8).double()
    with torch.no_grad():
        model.core.cell.W_h.zero_()
        model.core.cell.gate_rows("W_x", "forget").zero_()
        model.core.cell.gate_rows("b", "forget").fill_(math.log(f / (1 - f)))
    x, y = task.sample(16, generator=torch.Generator().manual_seed(0))
    fraction = gradients.surviving_fraction(model, task, x.double(), y)
    expected = f ** torch.arange(task.length, dtype=torch.float64)
    torch.testing.assert_close(fraction, expected)


def test_the_surviving_fraction_of_an_rnn_follows_its_hidden_state():
    """With ``W_h = 0`` and a loss read at the last step only, no gradient reaches an earlier hidden state."""
    task = tasks.DelayedRecall(lag=5)
    model = Predictor.rnn(task, seed=0, hidden_size=8)
    with torch.no_grad():
        model.core.cell.W_h.zero_()
    x, y = task.sample(16, generator=torch.Generator().manual_seed(0))
    fraction = gradients.surviving_fraction(model, task, x, y)
    assert fraction.tolist() == [1.0, 0.0, 0.0, 0.0, 0.0, 0.0]


def test_set_spectral_radius_rescales_in_place_and_keeps_the_direction():
    torch.manual_seed(0)
    rnn = RNN(3, 16)
    before = rnn.cell.W_h.detach().clone()
    assert gradients.set_spectral_radius(rnn, 1.7) is rnn
    assert abs(gradients.spectral_radius(rnn.cell.W_h) - 1.7) < 1e-5
    ratio = rnn.cell.W_h.detach() / before
    torch.testing.assert_close(ratio, torch.full_like(ratio, ratio[0, 0].item()))


def test_gradient_norm_bound_is_the_largest_singular_value_to_the_distance():
    W_h = torch.tensor([[0.5, 2.0], [0.0, 0.5]])
    sigma = torch.linalg.svdvals(W_h.double()).max().item()
    assert gradients.spectral_radius(W_h) == pytest.approx(0.5)  # smaller than sigma, about 2.1
    assert gradients.gradient_norm_bound(W_h, 0) == 1.0
    assert gradients.gradient_norm_bound(W_h, 3) == pytest.approx(sigma**3)
    assert gradients.gradient_norm_bound(W_h, 3, derivative_bound=0.25) == pytest.approx((0.25 * sigma) ** 3)


def test_gradient_norm_bound_holds_for_a_real_rnn():
    """The measured gradient never exceeds the bound, at any distance."""
    task = tasks.DelayedRecall(lag=30)
    model, norms = measured_norms(task, hidden_size=8, radius=1.5, seed=0, batch_size=1)
    for distance in range(task.length):
        bound = gradients.gradient_norm_bound(model.core.cell.W_h, distance)
        assert norms[-1 - distance] <= bound * norms[-1] * (1 + 1e-9)


def test_decay_per_step_recovers_a_geometric_rate():
    norms = 0.7 ** torch.arange(40, -1, -1, dtype=torch.float64)  # time order: the last step is 1
    assert gradients.decay_per_step(norms, first=0) == pytest.approx(0.7)
    growing = 1.1 ** torch.arange(40, -1, -1, dtype=torch.float64)
    assert gradients.decay_per_step(growing, first=5, last=30) == pytest.approx(1.1)


def test_decay_per_step_matches_the_radius_of_a_small_untrained_rnn():
    _, norms = measured_norms(tasks.DelayedRecall(lag=60), hidden_size=32, radius=0.5, seed=1, batch_size=64)
    assert gradients.decay_per_step(norms, first=10, last=50) == pytest.approx(0.5, abs=0.05)
