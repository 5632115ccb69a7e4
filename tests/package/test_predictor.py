"""The predictor reads out every step, its builders draw the weights a seed promises, and its torch
copies compute and train like it."""

import pytest
import torch

from lstm_course import LSTM, RNN, Predictor, tasks, training
from lstm_course.gru import GRU
from lstm_course.variants import CIFGLSTM, PeepholeLSTM

KINDS = ["rnn", "lstm", "gru", "peephole_lstm", "cifg_lstm"]
"""The builders, ``Predictor.rnn`` ... ``Predictor.cifg_lstm``."""

TORCH_COPIES = {"rnn": (torch.nn.RNN, RNN), "lstm": (torch.nn.LSTM, LSTM), "gru": (torch.nn.GRU, GRU)}
"""The builders whose cores have a ``torch.nn`` copy, with that copy's type and the type it comes back as."""


def build(kind, task, seed, **options):
    """``Predictor.rnn``, ``Predictor.lstm``, ``Predictor.gru`` ..., by name."""
    return getattr(Predictor, kind)(task, seed, **options)


@pytest.mark.parametrize("kind", KINDS)
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
    assert {build(kind, task, seed=0).core.hidden_size for kind in KINDS} == {32}


@pytest.mark.parametrize(
    ("kind", "core", "options"),
    [("gru", GRU, {}), ("peephole_lstm", PeepholeLSTM, {"forget_bias": 2.0}),
     ("cifg_lstm", CIFGLSTM, {"forget_bias": 2.0})],
)
def test_the_variants_builders_equal_models_built_by_hand_after_seeding(kind, core, options):
    task = tasks.MarkedRecall(n_symbols=5, length=8)
    torch.manual_seed(7)
    by_hand = Predictor(core(task.input_size, 12, **options), task.output_size)
    torch.manual_seed(123)
    built = build(kind, task, seed=7, hidden_size=12, **options)
    assert isinstance(built.core, core)
    assert built.state_dict().keys() == by_hand.state_dict().keys()
    for name, value in built.state_dict().items():
        assert torch.equal(value, by_hand.state_dict()[name]), name


def test_a_peephole_predictor_starts_as_the_lstm_predictor_of_its_seed():
    task = tasks.DelayedRecall(lag=5)
    lstm, peephole = Predictor.lstm(task, seed=3, hidden_size=8), Predictor.peephole_lstm(task, seed=3, hidden_size=8)
    assert torch.equal(peephole.readout.weight, lstm.readout.weight)
    x, _ = task.sample(6)
    torch.testing.assert_close(peephole(x), lstm(x))


@pytest.mark.parametrize("kind", TORCH_COPIES)
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_a_torch_copy_and_its_way_back_compute_what_the_scratch_predictor_computes(kind, dtype):
    torch_core, scratch_core = TORCH_COPIES[kind]
    task = tasks.AddingProblem(15)
    scratch = build(kind, task, seed=0, hidden_size=8).to(dtype)
    fast = scratch.to_torch()
    back = fast.to_scratch()
    assert isinstance(fast.core, torch_core) and isinstance(back.core, scratch_core)
    x = task.sample(6)[0].to(dtype)
    for copy in (fast, back):
        assert all(parameter.dtype == dtype for parameter in copy.parameters())
        torch.testing.assert_close(copy(x), scratch(x))


@pytest.mark.parametrize("kind", TORCH_COPIES)
def test_a_torch_copy_trains_like_the_scratch_predictor(kind):
    task = tasks.AddingProblem(15)
    scratch = build(kind, task, seed=0, hidden_size=8)
    fast = scratch.to_torch()
    x, _ = task.sample(6)
    expected = training.train(scratch, task, steps=10, seed=1, batch_size=8)
    history = training.train(fast, task, steps=10, seed=1, batch_size=8)
    torch.testing.assert_close(torch.tensor(history.loss), torch.tensor(expected.loss), rtol=1e-4, atol=1e-6)
    torch.testing.assert_close(fast.to_scratch()(x), scratch(x), rtol=1e-4, atol=1e-5)


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


def test_a_gru_copy_trains_the_candidates_recurrent_bias_and_keeps_the_gates_at_zero():
    task = tasks.AddingProblem(10)
    fast = Predictor.gru(task, seed=0, hidden_size=4).to_torch()
    b_hn = fast.core.bias_hh_l0[8:].detach().clone()
    training.train(fast, task, steps=5, batch_size=8)
    assert torch.equal(fast.core.bias_hh_l0[:8], torch.zeros(8))  # the reset and update gates' rows
    assert not torch.equal(fast.core.bias_hh_l0[8:], b_hn)


@pytest.mark.parametrize("kind", ["peephole_lstm", "cifg_lstm"])
def test_a_variant_without_a_torch_equivalent_says_so_when_asked_for_a_copy(kind):
    model = build(kind, tasks.DelayedRecall(lag=5), seed=0, hidden_size=4)
    with pytest.raises(TypeError, match=f"torch.nn equivalent .*{type(model.core).__name__}"):
        model.to_torch()
    with pytest.raises(TypeError, match=f"torch.nn equivalent .*{type(model.core).__name__}"):
        training.train_as_torch(model, tasks.DelayedRecall(lag=5), steps=1)


def test_a_batch_first_torch_gru_is_a_core_and_a_time_first_one_is_not():
    model = Predictor(torch.nn.GRU(4, 6, batch_first=True), 4)  # both of its biases drawn, none zero
    x = torch.randn(2, 5, 4)
    assert model(x).shape == (2, 5, 4)
    torch.testing.assert_close(model.to_scratch()(x), model(x))
    with pytest.raises(ValueError, match="batch_first=True.*got batch_first=False"):
        Predictor(torch.nn.GRU(4, 6), 4)


@pytest.mark.parametrize("kind", ["gru", "peephole_lstm", "cifg_lstm"])
def test_a_few_training_steps_lower_the_loss_of_every_variant(kind):
    task = tasks.DelayedRecall(lag=5)
    model = build(kind, task, seed=0, hidden_size=16)
    history = training.train(model, task, steps=100, seed=0, batch_size=32)
    assert sum(history.loss[-10:]) < 0.75 * sum(history.loss[:10])


def test_a_gru_trained_as_torch_comes_back_as_a_gru_with_the_history_of_training_it_as_it_is():
    task = tasks.DelayedRecall(lag=5)
    history = training.train(build("gru", task, seed=0, hidden_size=16), task, steps=30, seed=0, batch_size=32)
    back, fast_history = training.train_as_torch(build("gru", task, seed=0, hidden_size=16), task, 30, seed=0,
                                                 batch_size=32)
    assert isinstance(back.core, GRU)
    torch.testing.assert_close(torch.tensor(fast_history.loss), torch.tensor(history.loss), rtol=1e-4, atol=1e-6)
