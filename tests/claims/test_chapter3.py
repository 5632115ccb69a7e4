"""Chapter 3's conclusions about gradient flow and about learning lag 100, rerun with seeds the chapter does not use."""

import numpy as np
import torch

from lstm_course import LSTM, RNN, Predictor, gradients, tasks, training

TASK = tasks.DelayedRecall(lag=100)


UNTRAINED_CORES = {
    "rnn": lambda: RNN(4, 32),
    "lstm_1997": lambda: LSTM(4, 32, gates=("input", "output")),
    "lstm_forget_bias_1": lambda: LSTM(4, 32),
    "lstm_forget_bias_3": lambda: LSTM(4, 32, forget_bias=3.0),
}
"""The chapter's untrained recurrent cores, built after seeding."""


def fraction_left_after_100_steps(core, x, y):
    """The gradient 100 steps back over the gradient at the last step: along c for an LSTM, h for an RNN."""
    model = Predictor(core, TASK.output_size).double()
    return gradients.surviving_fraction(model, TASK, x, y)[-1].item()


def test_the_lane_keeps_the_gradient_the_rnn_loses_it(seed, record_property):
    x, y = TASK.sample(64, generator=torch.Generator().manual_seed(seed))
    x = x.double()
    left = {}
    for name, make in UNTRAINED_CORES.items():
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


def test_the_per_step_factors_measure_different_paths(seed, record_property):
    """The three ways the chapter reads a gradient curve, and the lane-alone bound, for an untrained seed."""
    x, y = TASK.sample(64, generator=torch.Generator().manual_seed(seed))
    x = x.double()
    curves = {}
    for name in ("rnn", "lstm_1997", "lstm_forget_bias_1"):
        make = UNTRAINED_CORES[name]
        torch.manual_seed(seed)
        curves[name] = gradients.surviving_fraction(Predictor(make(), TASK.output_size).double(), TASK, x, y)
    torch.manual_seed(seed)
    with torch.no_grad():
        f = LSTM(4, 32).double().trace(x).gates["forget"][:, 1:]  # f_1 .. f_T
    forget_mean = f.log().mean().exp().item()
    lane_alone = f.prod(dim=1).max().item()  # the most any unit keeps along the lane alone

    def fitted(curve, first):
        return gradients.decay_per_step(curve.flip(0), first=first)  # flip: back to time order

    rnn, lane, leaky = curves["rnn"], curves["lstm_1997"], curves["lstm_forget_bias_1"]
    factors = {
        "forget gate": forget_mean,
        "first step back": leaky[1].item(),
        "average": leaky[-1].item() ** 0.01,
        "fitted from 25": fitted(leaky, 25),
        "rnn average": rnn[-1].item() ** 0.01,
        "rnn fitted from 10": fitted(rnn, 10),
    }
    record_property("factors per step", factors)
    record_property("forget-gate LSTM left after 100 steps, measured and lane alone", (leaky[-1].item(), lane_alone))
    record_property("1997 LSTM at 0-25, 50, 100 steps back", (lane[:26].min().item(), lane[:26].max().item(),
                                                               lane[50].item(), lane[100].item()))
    assert abs(forget_mean - torch.sigmoid(torch.tensor(1.0)).item()) < 0.02
    assert abs(factors["first step back"] - forget_mean) < 0.1
    assert 0.8 < factors["average"] < 0.9 and factors["average"] > forget_mean + 0.07
    assert 0.8 < factors["fitted from 25"] < 0.92
    assert leaky[-1].item() > 1e3 * lane_alone
    assert abs(factors["rnn average"] - factors["rnn fitted from 10"]) < 0.03
    assert 0.4 < lane[:26].min() and lane[:26].max() < 2.5
    assert lane[100] > 2 * lane[50]


ADAM = {"optimizer": "adam", "lr": 1e-3, "batch_size": 32, "clip": 1.0}  # the chapter's payoff settings
SGD = {"optimizer": "sgd", "lr": 0.1, "batch_size": 32, "clip": 1.0}  # chapter 2's SGD, same batches


def train_both(seeds, settings, steps=500):
    """The chapter's payoff experiment: one RNN and one 1997 LSTM per seed; their histories and held-out accuracy."""
    rnns = [Predictor.rnn(TASK, seed) for seed in seeds]
    rnn_histories = training.train_together(rnns, TASK, steps=steps, seeds=seeds, **settings)
    lstms = [Predictor.lstm(TASK, seed, gates=("input", "output")) for seed in seeds]
    lstm_histories = [
        training.train(model, TASK, steps=steps, seed=seed, **settings) for model, seed in zip(lstms, seeds)
    ]
    accuracy = {
        "rnn": np.array([training.evaluate(model, TASK).accuracy for model in rnns]),
        "lstm_1997": np.array([training.evaluate(model, TASK).accuracy for model in lstms]),
    }
    return {"rnn": rnn_histories, "lstm_1997": lstm_histories}, accuracy


def test_with_adam_every_1997_lstm_learns_lag_100_and_every_rnn_stays_at_chance(seeds, record_property):
    histories, accuracy = train_both(seeds, ADAM)
    reached = [history.steps_to_reach(0.95) for history in histories["lstm_1997"]]
    record_property("held-out accuracy", {name: values.round(3).tolist() for name, values in accuracy.items()})
    record_property("LSTM: step at which training accuracy reached 95%", reached)
    assert (accuracy["lstm_1997"] >= 0.99).mean() == 1.0 and None not in reached  # every seed
    assert (accuracy["rnn"] < 0.3).mean() == 1.0  # every seed
    assert all(training.moving_average(history.accuracy)[24:].max() < 0.4 for history in histories["rnn"])


def test_with_sgd_neither_model_learns_lag_100_in_500_steps(seeds, record_property):
    _, accuracy = train_both(seeds, SGD)
    record_property("held-out accuracy", {name: values.round(3).tolist() for name, values in accuracy.items()})
    assert (accuracy["lstm_1997"] < 0.3).mean() == 1.0 and (accuracy["rnn"] < 0.3).mean() == 1.0


def test_a_larger_learning_rate_trained_longer_takes_some_rnns_off_chance(seeds, record_property):
    rnns = [Predictor.rnn(TASK, seed) for seed in seeds]
    training.train_together(rnns, TASK, steps=2000, seeds=seeds, **{**ADAM, "lr": 3e-3})
    accuracy = np.array([training.evaluate(model, TASK).accuracy for model in rnns])
    record_property("held-out accuracy, Adam 3e-3, 2000 steps", accuracy.round(3).tolist())
    assert (accuracy > 0.3).mean() > 0  # some seeds
