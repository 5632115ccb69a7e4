"""Chapter 1's conclusions, rerun with seeds the chapter does not use."""

import torch

from lstm_course import Predictor, RNNCell, tasks, training


def test_an_rnn_learns_delayed_recall_at_lag_5(seed, record_property):
    task = tasks.DelayedRecall(lag=5)
    model = Predictor.rnn(task, seed)
    history = training.train(model, task, steps=300, seed=seed)
    start, reached = sum(history.accuracy[:5]) / 5, history.steps_to_reach(0.95)
    accuracy = training.evaluate(model, task).accuracy
    record_property("start accuracy", start)
    record_property("steps to 95%", reached)
    record_property("held-out accuracy", accuracy)
    assert start < 0.45
    assert reached is not None and reached <= 150
    assert accuracy >= 0.99


def test_an_untrained_cell_forgets_which_symbol_came_first(seed, record_property):
    torch.manual_seed(seed)
    cell = RNNCell(4, 3)
    sequences = torch.zeros(4, 6, 4)
    sequences[range(4), 0, range(4)] = 1.0
    h, spreads = torch.zeros(4, 3), []
    for x_t in sequences.unbind(dim=1):
        h = cell(x_t, h)
        spreads.append(torch.pdist(h).max().item())
    record_property("spread at the end / at step 1", spreads[-1] / spreads[0])
    assert spreads[-1] < 0.5 * spreads[0]


def closest_pair_distance(core, one_per_symbol):
    """Per step, the smallest distance between two symbols' hidden states."""
    with torch.no_grad():
        states = core(one_per_symbol)[0].transpose(0, 1)  # (T, 4, H)
    return [torch.pdist(states_t).min().item() for states_t in states]


def test_trained_rnns_keep_the_four_symbols_apart_and_push_them_further_apart(seed, record_property):
    task = tasks.DelayedRecall(lag=5)
    one_per_symbol = torch.zeros(4, task.length, task.input_size)
    one_per_symbol[range(4), 0, range(4)] = 1.0
    untrained = Predictor.rnn(task, seed).core
    model = Predictor.rnn(task, seed)
    training.train(model, task, steps=300, seed=seed)
    trained_gaps = closest_pair_distance(model.core, one_per_symbol)
    untrained_gaps = closest_pair_distance(untrained, one_per_symbol)
    record_property("smallest trained gap", min(trained_gaps))
    record_property("trained gap at the end / after step 1", trained_gaps[-1] / trained_gaps[0])
    record_property("untrained / trained gap at the end", untrained_gaps[-1] / trained_gaps[-1])
    assert min(trained_gaps) > 0.5
    assert trained_gaps[-1] > 4 * trained_gaps[0]  # the trained recurrence pushes the symbols apart
    assert untrained_gaps[-1] < 0.25 * trained_gaps[-1]


def test_longer_lags_cost_more_steps_and_fewer_seeds_learn_lag_40(seeds, record_property):
    budget, needed = 400, {}
    for lag in (5, 20, 40):
        task = tasks.DelayedRecall(lag=lag)
        needed[lag] = []
        for seed in seeds:
            model = Predictor.rnn(task, seed)
            needed[lag].append(training.train(model, task, steps=budget, seed=seed).steps_to_reach(0.95))
        record_property(f"steps to 95% at lag {lag}", needed[lag])
    median = {lag: float(torch.tensor([s or budget for s in steps], dtype=torch.float).median())
              for lag, steps in needed.items()}
    learned = {lag: sum(s is not None for s in steps) / len(steps) for lag, steps in needed.items()}
    assert learned[5] == 1.0
    assert median[5] < median[20] < median[40], median
    assert learned[40] <= 0.75, learned


def test_eight_symbols_are_learned_at_lag_5(seed, record_property):
    task = tasks.DelayedRecall(lag=5, n_symbols=8)
    model = Predictor.rnn(task, seed)
    training.train(model, task, steps=300, seed=seed)
    accuracy = training.evaluate(model, task).accuracy
    record_property("held-out accuracy", accuracy)
    assert accuracy >= 0.99
