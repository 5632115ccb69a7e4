"""The chapter 2 tools: rescaling W_h, the gradient-norm bound, the fitted decay per step, and the bound's checker."""

import pytest
import torch

from lstm_course import RNN, LSTM, exercises, gradients, tasks, training


def test_set_spectral_radius_rescales_in_place_and_keeps_the_direction():
    torch.manual_seed(0)
    rnn = RNN(3, 16)
    before = rnn.cell.W_h.detach().clone()
    assert gradients.set_spectral_radius(rnn, 1.7) is rnn
    assert abs(gradients.spectral_radius(rnn.cell.W_h) - 1.7) < 1e-5
    ratio = rnn.cell.W_h.detach() / before
    torch.testing.assert_close(ratio, torch.full_like(ratio, ratio[0, 0].item()))


def test_set_spectral_radius_rejects_bad_arguments():
    with pytest.raises(TypeError, match="rnn must be an lstm_course RNN"):
        gradients.set_spectral_radius(LSTM(2, 4), 1.0)
    with pytest.raises(ValueError, match="radius must be a positive number, got -1"):
        gradients.set_spectral_radius(RNN(2, 4), -1)
    zero = RNN(2, 4)
    with torch.no_grad():
        zero.cell.W_h.zero_()
    with pytest.raises(ValueError, match="spectral radius 0"):
        gradients.set_spectral_radius(zero, 1.0)


def measured_norms(task, hidden_size, radius, seed, batch_size):
    """An untrained float64 RNN with the given spectral radius, and its gradient norms on one batch of ``task``."""
    torch.manual_seed(seed)
    model = training.Predictor(RNN(task.input_size, hidden_size), task.output_size).double()
    gradients.set_spectral_radius(model.core, radius)
    x, y = task.sample(batch_size, generator=torch.Generator().manual_seed(0))
    return model, gradients.gradient_norms_through_time(model, task, x.double(), y).hidden


def test_gradient_norm_bound_is_the_largest_singular_value_to_the_distance():
    W_h = torch.tensor([[0.5, 2.0], [0.0, 0.5]])
    sigma = torch.linalg.svdvals(W_h.double()).max().item()
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


def test_gradient_norm_bound_rejects_bad_arguments():
    with pytest.raises(ValueError, match="W_h must be a square matrix"):
        gradients.gradient_norm_bound(torch.zeros(2, 3), 1)
    with pytest.raises(ValueError, match="distance must be a non-negative int"):
        gradients.gradient_norm_bound(torch.eye(2), -1)
    with pytest.raises(ValueError, match="derivative_bound must be positive"):
        gradients.gradient_norm_bound(torch.eye(2), 1, derivative_bound=0.0)


def test_decay_per_step_recovers_a_geometric_rate():
    norms = 0.7 ** torch.arange(40, -1, -1, dtype=torch.float64)  # time order: the last step is 1
    assert gradients.decay_per_step(norms, first=0) == pytest.approx(0.7)
    growing = 1.1 ** torch.arange(40, -1, -1, dtype=torch.float64)
    assert gradients.decay_per_step(growing, first=5, last=30) == pytest.approx(1.1)


def test_decay_per_step_matches_the_radius_of_a_small_untrained_rnn():
    _, norms = measured_norms(tasks.DelayedRecall(lag=60), hidden_size=32, radius=0.5, seed=1, batch_size=64)
    assert gradients.decay_per_step(norms, first=10, last=50) == pytest.approx(0.5, abs=0.05)


def test_decay_per_step_needs_two_positive_norms():
    with pytest.raises(ValueError, match="at least two positive norms"):
        gradients.decay_per_step(torch.zeros(20))
    with pytest.raises(ValueError, match="1-D tensor"):
        gradients.decay_per_step(torch.ones(3, 3))


def right_bound(W_h, distance):
    return torch.linalg.matrix_norm(W_h, ord=2).item() ** distance


def test_bound_checker_accepts_the_answer(capsys):
    assert exercises.check_gradient_norm_bound(right_bound)
    assert capsys.readouterr().out.startswith("Correct")


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (lambda W, d: torch.linalg.eigvals(W).abs().max().item() ** d, "spectral radius"),
        (lambda W, d: torch.linalg.matrix_norm(W).item() ** d, "Frobenius"),
        (lambda W, d: torch.linalg.matrix_norm(W, ord=2).item(), "power"),
        (lambda W, d: torch.linalg.matrix_norm(W, ord=2).item() ** (d - 1), "count the factors"),
        (lambda W, d: 0.5, "multiply one factor per step"),
        (lambda W, d: W @ W, "should return one number"),
    ],
)
def test_bound_checker_rejects_typical_mistakes(wrong, hint, capsys):
    assert not exercises.check_gradient_norm_bound(wrong)
    out = capsys.readouterr().out
    assert out.startswith("Not yet") and hint in out
