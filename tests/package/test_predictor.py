"""The predictor reads out every step, its builders draw the weights a seed promises, and its torch
copies compute and train like it."""

import pytest
import torch

from lstm_course import LSTM, RNN, Predictor, tasks, training


def build(kind, task, seed, **options):
    """``Predictor.rnn`` or ``Predictor.lstm``, by name."""
    return getattr(Predictor, kind)(task, seed, **options)


@pytest.mark.parametrize("kind", ["rnn", "lstm"])
def test_the_prediction_at_each_step_reads_that_steps_hidden_state_and_nothing_later(kind):
    task = tasks.AddingProblem(12)
    model = build(kind, task, seed=0, hidden_size=16)
    x, _ = task.sample(4)
    predictions = model(x)
    assert predictions.shape == (4, 12, 1)
    for t in range(12):
        h_t = model.core(x[:, : t + 1])[0][:, -1]  # the core run on the steps up to t only
        torch.testing.assert_close(predictions[:, t], model.readout(h_t))


def test_the_builders_equal_models_built_by_hand_after_seeding():
    task = tasks.MarkedRecall(n_symbols=5, length=8)
    torch.manual_seed(7)
    rnn_by_hand = Predictor(RNN(task.input_size, 12), task.output_size)
    torch.manual_seed(7)
    lstm_by_hand = Predictor(LSTM(task.input_size, 12, gates=("input", "forget"), forget_bias=2.0), task.output_size)
    torch.manual_seed(123)  # the builders seed for themselves
    rnn = Predictor.rnn(task, seed=7, hidden_size=12)
    lstm = Predictor.lstm(task, seed=7, hidden_size=12, gates=("input", "forget"), forget_bias=2.0)
    for built, by_hand in [(rnn, rnn_by_hand), (lstm, lstm_by_hand)]:
        assert built.state_dict().keys() == by_hand.state_dict().keys()
        for name, value in built.state_dict().items():
            assert torch.equal(value, by_hand.state_dict()[name]), name
    other_seed = Predictor.rnn(task, seed=8, hidden_size=12)
    assert not torch.equal(other_seed.core.cell.W_h, rnn.core.cell.W_h)
    assert Predictor.rnn(task, seed=0).core.hidden_size == Predictor.lstm(task, seed=0).core.hidden_size == 32


@pytest.mark.parametrize("kind", ["rnn", "lstm"])
def test_a_torch_copy_computes_and_trains_like_the_scratch_predictor(kind):
    task = tasks.AddingProblem(15)
    scratch = build(kind, task, seed=0, hidden_size=8)
    fast = scratch.to_torch()
    assert isinstance(fast.core, torch.nn.RNN if kind == "rnn" else torch.nn.LSTM)
    x, _ = task.sample(6)
    torch.testing.assert_close(fast(x), scratch(x))
    expected = training.train(scratch, task, steps=10, seed=1, batch_size=8)
    history = training.train(fast, task, steps=10, seed=1, batch_size=8)
    torch.testing.assert_close(torch.tensor(history.loss), torch.tensor(expected.loss), rtol=1e-4, atol=1e-6)
    back = fast.to_scratch()
    assert isinstance(back.core, RNN if kind == "rnn" else LSTM)
    torch.testing.assert_close(back(x), scratch(x), rtol=1e-4, atol=1e-5)


def test_a_dropped_gate_stays_dropped_when_the_torch_copy_trains():
    task = tasks.AddingProblem(10)
    fast = Predictor.lstm(task, seed=0, hidden_size=4, gates=("input", "output")).to_torch()
    training.train(fast, task, steps=5, batch_size=8)
    trace = fast.to_scratch().core.trace(task.sample(3)[0])
    assert torch.equal(trace.gates["forget"], torch.ones_like(trace.gates["forget"]))


def test_a_frozen_gate_stays_frozen_when_the_torch_copy_trains():
    task = tasks.AddingProblem(10)
    model = Predictor.lstm(task, seed=0, hidden_size=4)
    model.core.cell.freeze_gate("forget", bias=1.0)
    fast = model.to_torch()
    before = fast.core.weight_ih_l0.detach().clone()
    training.train(fast, task, steps=5, batch_size=8)
    forget_rows = slice(4, 8)  # torch.nn.LSTM stacks i, f, g, o
    assert torch.equal(fast.core.weight_ih_l0[forget_rows], before[forget_rows])
    assert not torch.equal(fast.core.weight_ih_l0[:4], before[:4])  # the input gate moved
    cell = fast.to_scratch().core.cell
    assert not cell.gate_rows("W_h", "forget").any()
    assert torch.equal(cell.gate_rows("b", "forget"), torch.ones(4))


def test_a_frozen_gate_stays_frozen_in_a_bare_torch_copy_with_both_biases_trained():
    torch.manual_seed(0)
    model = LSTM(2, 3)
    model.cell.freeze_gate("forget", bias=1.0)
    copy = model.to_torch()
    before = [parameter.detach().clone() for parameter in copy.parameters()]
    optimizer = torch.optim.Adam(copy.parameters(), lr=0.1)
    for _ in range(3):
        optimizer.zero_grad()
        copy(torch.randn(4, 5, 2))[0].pow(2).sum().backward()
        optimizer.step()
    for old, new in zip(before, copy.parameters()):
        assert torch.equal(new[3:6], old[3:6])  # the forget gate's rows (torch stacks i, f, g, o)
        assert not torch.equal(new[:3], old[:3])  # the input gate's rows moved
