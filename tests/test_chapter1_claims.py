"""Chapter 1's conclusions, rerun small with seeds the chapter does not use."""

import pytest
import torch

from lstm_course import RNN, RNNCell, tasks, training

OTHER_SEEDS = [11, 12, 13]


@pytest.mark.parametrize("seed", OTHER_SEEDS)
def test_an_rnn_learns_delayed_recall_at_lag_5(seed):
    task = tasks.DelayedRecall(lag=5)
    torch.manual_seed(seed)
    model = training.Predictor(RNN(task.input_size, 32), task.output_size)
    history = training.train(model, task, steps=300, seed=seed)
    assert sum(history.accuracy[:5]) / 5 < 0.45
    assert history.steps_to_reach(0.95) <= 150
    assert training.evaluate(model, task).accuracy >= 0.99


@pytest.mark.parametrize("seed", OTHER_SEEDS)
def test_an_untrained_cell_forgets_which_symbol_came_first(seed):
    torch.manual_seed(seed)
    cell = RNNCell(4, 3)
    sequences = torch.zeros(4, 6, 4)
    sequences[range(4), 0, range(4)] = 1.0
    h, spreads = torch.zeros(4, 3), []
    for x_t in sequences.unbind(dim=1):
        h = cell(x_t, h)
        spreads.append(torch.pdist(h).max().item())
    assert spreads[-1] < 0.5 * spreads[0]
