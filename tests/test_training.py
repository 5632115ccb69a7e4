"""The training loop, the readout and the gradient measurements."""

import pytest
import torch

from lstm_course import LSTM, RNN, gradients, tasks, training


def small_rnn(task, seed=0, hidden_size=16):
    torch.manual_seed(seed)
    return training.Predictor(RNN(task.input_size, hidden_size), task.output_size)


def test_predictor_reads_out_every_step():
    task = tasks.AddingProblem(12)
    model = small_rnn(task)
    x, _ = task.sample(4)
    assert model(x).shape == (4, 12, 1)


def test_training_is_reproducible_and_learns_a_short_lag():
    task = tasks.DelayedRecall(lag=3)
    first = training.train(small_rnn(task), task, steps=150, seed=1)
    again = training.train(small_rnn(task), task, steps=150, seed=1)
    assert first.loss == again.loss
    assert len(first.loss) == len(first.accuracy) == len(first.grad_norm) == 150
    assert first.final_accuracy() > 0.95


def test_clipping_bounds_the_applied_gradient_but_records_the_raw_norm():
    task = tasks.DelayedRecall(lag=3)
    model = small_rnn(task)
    with torch.no_grad():
        model.core.cell.W_h.mul_(8.0)  # a recurrence that explodes
    history = training.train(model, task, steps=20, seed=0, clip=0.5, optimizer="sgd", lr=0.01)
    assert max(history.grad_norm) > 0.5
    assert all(torch.isfinite(torch.tensor(history.loss)))


def test_evaluate_uses_the_same_held_out_batch():
    task = tasks.DelayedRecall(lag=3)
    model = small_rnn(task)
    assert training.evaluate(model, task, batch_size=64) == training.evaluate(model, task, batch_size=64)


def test_gradient_norms_match_autograd_through_the_fast_model():
    task = tasks.DelayedRecall(lag=6)
    for core in (RNN(task.input_size, 8), LSTM(task.input_size, 8)):
        model = training.Predictor(core, task.output_size).double()
        x, y = task.sample(5, generator=torch.Generator().manual_seed(0))
        x = x.double()
        measured = gradients.gradient_norms_through_time(model, task, x, y)
        assert measured.hidden.shape == (task.length,)
        assert (measured.cell is None) == isinstance(core, RNN)
        assert all(p.grad is None for p in model.parameters())  # measuring leaves the parameters alone
        # the last state's gradient, computed by hand through the readout
        out = core(x)[0]
        out.retain_grad()
        (task.loss(model.readout(out), y) * 5).backward()
        torch.testing.assert_close(measured.hidden[-1], out.grad[:, -1].norm(dim=1).mean())


def test_rnn_gradients_vanish_with_a_small_recurrent_matrix():
    task = tasks.DelayedRecall(lag=30)
    model = small_rnn(task)
    with torch.no_grad():
        model.core.cell.W_h.mul_(0.3 / gradients.spectral_radius(model.core.cell.W_h))
    x, y = task.sample(16, generator=torch.Generator().manual_seed(0))
    norms = gradients.gradient_norms_through_time(model, task, x, y).hidden
    assert norms[0] < 1e-6 * norms[-1]
    assert abs(gradients.spectral_radius(model.core.cell.W_h) - 0.3) < 1e-5


def test_moving_average_and_steps_to_reach():
    history = training.History(accuracy=[0.0, 0.0, 1.0, 1.0, 1.0, 1.0])
    assert list(training.moving_average(history.accuracy, window=2)) == [0.0, 0.0, 0.5, 1.0, 1.0, 1.0]
    assert history.steps_to_reach(0.9, window=2) == 4
    assert history.steps_to_reach(0.9, window=6) is None


def test_a_torch_copy_computes_and_trains_like_the_scratch_predictor():
    task = tasks.AddingProblem(15)
    torch.manual_seed(0)
    scratch = training.Predictor(LSTM(task.input_size, 8, forget_bias=1.0), task.output_size)
    fast = scratch.to_torch()
    assert isinstance(fast.core, torch.nn.LSTM)
    x, _ = task.sample(6)
    torch.testing.assert_close(fast(x), scratch(x))
    expected = training.train(scratch, task, steps=10, seed=1, batch_size=8)
    history = training.train(fast, task, steps=10, seed=1, batch_size=8)
    torch.testing.assert_close(torch.tensor(history.loss), torch.tensor(expected.loss), rtol=1e-4, atol=1e-6)
    back = fast.to_scratch()
    assert isinstance(back.core, LSTM)
    torch.testing.assert_close(back(x), scratch(x), rtol=1e-4, atol=1e-5)


def test_a_dropped_gate_stays_dropped_in_the_torch_copy():
    task = tasks.AddingProblem(10)
    fast = training.Predictor(LSTM(task.input_size, 4, gates=("input", "output")), task.output_size).to_torch()
    training.train(fast, task, steps=5, batch_size=8)
    _, _, trace = fast.to_scratch().core(task.sample(3)[0], trace=True)
    assert torch.equal(trace.gates["forget"], torch.ones_like(trace.gates["forget"]))


def test_torch_copies_must_be_one_layer_and_batch_first():
    rnn = RNN(2, 4)
    assert isinstance(training.Predictor(rnn, 1).to_torch().to_scratch().core, RNN)
    with pytest.raises(ValueError, match="batch_first=True"):
        training.Predictor(torch.nn.LSTM(2, 4), 1)
    with pytest.raises(TypeError, match="lstm_course core"):
        training.Predictor(rnn, 1).to_torch().to_torch()
    with pytest.raises(TypeError, match="torch.nn core"):
        training.Predictor(rnn, 1).to_scratch()
