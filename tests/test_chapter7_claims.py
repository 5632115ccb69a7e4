"""Chapter 7's conclusions, rerun with three seeds the chapter does not use (11, 12, 13).

The chapter trains with seeds 0 to 3 and checks its claims in hidden cells. Here the adding
problem at T = 100 is rerun with other seeds (32 units, Adam at 1e-2, clipping at 1, 1500 steps),
and the same conclusions must hold:

- every RNN ends at the chance level (or above it) and every LSTM learns the task, with most held-out
  sequences within 0.04 and fewer than 2% off by 0.08 or more;
- in the trained networks the RNN keeps less than 1e-5 of its gradient 50 steps back, while the
  LSTM's cell-state gradient keeps more than half of it 99 steps back;
- each trained LSTM has an adding unit: its input gate opens at the marked steps only, its forget
  gate stays near 1, and its last cell state follows the sum.
"""

import numpy as np
import pytest
import torch

from lstm_course import LSTM, ensembles, gradients, tasks, training

SEEDS = (11, 12, 13)
SETTINGS = {"steps": 1500, "lr": 1e-2, "clip": 1.0}
TASK = tasks.AddingProblem(length=100)


@pytest.fixture(scope="module")
def trained(chapter_conditions):
    """The chapter's RNNs and LSTMs at T = 100, one per seed, trained as the chapter trains them."""
    rnns = ensembles.rnn_predictors(TASK, SEEDS)
    ensembles.train_together(rnns, TASK, seeds=SEEDS, **SETTINGS)
    lstms = []
    for seed in SEEDS:
        torch.manual_seed(seed)
        model = training.Predictor(LSTM(TASK.input_size, 32, forget_bias=1.0), TASK.output_size).to_torch()
        training.train(model, TASK, seed=seed, **SETTINGS)
        lstms.append(model.to_scratch())
    return rnns, lstms


@pytest.fixture(scope="module")
def held_out():
    return TASK.sample(2560, generator=torch.Generator().manual_seed(training.EVALUATION_SEED))


def test_the_rnn_is_at_chance_and_the_lstm_learns(trained, held_out):
    rnns, lstms = trained
    x, y = held_out
    chance = TASK.chance_loss
    for rnn in rnns:
        assert training.evaluate(rnn, TASK).loss > 0.9 * chance
    for lstm in lstms:
        with torch.no_grad():
            error = (lstm(x)[:, -1, 0] - y).abs()
        assert training.evaluate(lstm, TASK).loss < 0.02 * chance
        assert (error < 0.04).float().mean() > 0.75
        assert (error >= 0.08).float().mean() < 0.02


def test_the_cell_state_keeps_the_gradient_the_rnn_loses(trained):
    rnns, lstms = trained
    x, y = TASK.sample(256, generator=torch.Generator().manual_seed(1))
    for rnn, lstm in zip(rnns, lstms):
        rnn_flow = gradients.gradient_norms_through_time(rnn, TASK, x, y).hidden
        cell_flow = gradients.gradient_norms_through_time(lstm, TASK, x, y).cell
        assert rnn_flow[-51] / rnn_flow[-1] < 1e-5
        assert cell_flow[0] / cell_flow[-1] > 0.5


def test_one_unit_learns_to_add(trained):
    _, lstms = trained
    x, _ = TASK.sample(256, generator=torch.Generator().manual_seed(1))
    marked = x[..., 1] > 0
    sums = (x[..., 0] * x[..., 1]).sum(dim=1)
    for lstm in lstms:
        with torch.no_grad():
            _, _, trace = lstm.core(x, trace=True)
        i = trace.gates["input"]
        unit = int((i[marked].mean(dim=0) - i[~marked].mean(dim=0)).argmax())
        assert i[marked][:, unit].mean() > 0.85 and i[~marked][:, unit].mean() < 0.02
        assert trace.gates["forget"][..., unit].mean() > 0.99
        assert abs(np.corrcoef(trace.cell[:, -1, unit], sums)[0, 1]) > 0.99
