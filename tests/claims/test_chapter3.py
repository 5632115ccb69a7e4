"""Chapter 3's conclusions about gradient flow, rerun with seeds the chapter does not use."""

import torch

from lstm_course import LSTM, RNN, Predictor, gradients, tasks, training

TASK = tasks.DelayedRecall(lag=100)


def fraction_left_after_100_steps(core, x, y):
    """The gradient 100 steps back over the gradient at the last step: along c for an LSTM, h for an RNN."""
    model = Predictor(core, TASK.output_size).double()
    return gradients.surviving_fraction(model, TASK, x, y)[-1].item()


def test_the_lane_keeps_the_gradient_the_rnn_loses_it(seed, record_property):
    x, y = TASK.sample(64, generator=torch.Generator().manual_seed(seed))
    x = x.double()
    left = {}
    for name, make in [
        ("rnn", lambda: RNN(4, 32)),
        ("lstm_1997", lambda: LSTM(4, 32, gates=("input", "output"))),
        ("lstm_forget_bias_1", lambda: LSTM(4, 32)),
        ("lstm_forget_bias_3", lambda: LSTM(4, 32, forget_bias=3.0)),
    ]:
        torch.manual_seed(seed)
        left[name] = fraction_left_after_100_steps(make(), x, y)
    record_property("fraction left after 100 steps", left)
    assert left["rnn"] < 1e-12
    assert left["lstm_1997"] > 1.0
    assert 1e3 * left["rnn"] < left["lstm_forget_bias_1"] < 1e-4
    assert left["lstm_forget_bias_3"] > 0.1


def test_the_reach_grows_with_the_forget_bias(seed, record_property):
    x, y = TASK.sample(128, generator=torch.Generator().manual_seed(1))
    left = {}
    for bias in [0.0, 1.0, 3.0, 5.0]:
        torch.manual_seed(seed)
        left[bias] = fraction_left_after_100_steps(LSTM(4, 32, forget_bias=bias), x.double(), y)
        assert left[bias] > torch.sigmoid(torch.tensor(bias)).item() ** 100  # above the constant-gate estimate
    record_property("fraction left after 100 steps, by forget bias", left)
    assert left[0.0] < left[1.0] < 1e-4
    assert left[3.0] > 0.1 and left[5.0] > 1.0


def test_training_neither_rescues_the_rnn_nor_blocks_the_lane(seed, record_property):
    x, y = TASK.sample(128, generator=torch.Generator().manual_seed(1))
    left = {}
    for name, make in [("rnn", lambda: RNN(4, 32)), ("lstm_1997", lambda: LSTM(4, 32, gates=("input", "output")))]:
        torch.manual_seed(seed)
        model = Predictor(make(), TASK.output_size)
        training.train(model, TASK, steps=300, seed=seed)
        left[name] = fraction_left_after_100_steps(model.core.double(), x.double(), y)
    record_property("fraction left after 100 steps, trained", left)
    assert left["rnn"] < 1e-8
    assert left["lstm_1997"] > 0.1
