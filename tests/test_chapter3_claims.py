"""Chapter 3's conclusions about gradient flow, rerun with seeds the chapter does not use."""

import pytest
import torch

from lstm_course import LSTM, RNN, gradients, tasks, training

TASK = tasks.DelayedRecall(lag=100)


def fraction_left_after_100_steps(core, x, y):
    model = training.Predictor(core, TASK.output_size).double()
    measured = gradients.gradient_norms_through_time(model, TASK, x, y)
    lane = measured.hidden if measured.cell is None else measured.cell
    return (lane[0] / lane[-1]).item()


@pytest.mark.parametrize("seed", [11, 12, 13])
def test_the_lane_keeps_the_gradient_the_rnn_loses_it(seed):
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
    assert left["rnn"] < 1e-12
    assert left["lstm_1997"] > 1.0
    assert 1e3 * left["rnn"] < left["lstm_forget_bias_1"] < 1e-4
    assert left["lstm_forget_bias_3"] > 1.0
