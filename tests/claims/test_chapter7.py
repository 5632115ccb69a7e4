"""Chapter 7's conclusions, rerun with seeds the chapter does not use.

The chapter trains with seeds 0 and 1 and checks its claims in hidden cells. Here the adding
problem at T = 100 is rerun with other seeds (32 units, Adam at 1e-2, clipping at 1, 1500 steps),
and the same conclusions must hold:

- every RNN ends at the chance level (or above it) and every LSTM ends far below it; most LSTMs
  have solved the task (error below 2% of chance, most held-out sequences within 0.04, fewer
  than 2% off by 0.08 or more), and most meet the 1997 paper's stopping rule within its count of
  training sequences;
- in the trained networks the RNN keeps less than 1e-3 of its gradient 50 steps back, while the
  LSTM's cell-state gradient keeps more than half of it 99 steps back;
- each LSTM that solved the task has an adding unit: its input gate opens at the marked steps only,
  its forget gate stays near 1, and its last cell state follows the sum;
- at T = 10 the RNN learns the task, at T = 50 it is at the chance level.
"""

import numpy as np
import pytest
import torch

from lstm_course import Predictor, gradients, tasks, training

SETTINGS = {"steps": 1500, "lr": 1e-2, "clip": 1.0}
TASK = tasks.AddingProblem(length=100)


@pytest.fixture(scope="module")
def trained(seeds):
    """seed -> the chapter's RNN and LSTM at T = 100, trained as the chapter trains them, and the LSTM's history."""
    rnns = [Predictor.rnn(TASK, seed) for seed in seeds]
    training.train_together(rnns, TASK, seeds=seeds, **SETTINGS)
    runs = {}
    for seed, rnn in zip(seeds, rnns):
        model = Predictor.lstm(TASK, seed, forget_bias=1.0).to_torch()
        history = training.train(model, TASK, seed=seed, **SETTINGS)
        runs[seed] = rnn, model.to_scratch(), history
    return runs


@pytest.fixture(scope="module")
def scores(trained):
    """seed -> the RNN's and the LSTM's error over chance, the LSTM's share within 0.04 and off by 0.08, and
    whether it has solved the task, on the chapter's 2560 held-out sequences."""
    x, y = TASK.sample(2560, generator=torch.Generator().manual_seed(training.EVALUATION_SEED))
    measured = {}
    for seed, (rnn, lstm, _) in trained.items():
        with torch.no_grad():
            predictions = lstm(x)
        error = (predictions[:, -1, 0] - y).abs()
        measured[seed] = (training.evaluate(rnn, TASK).loss / TASK.chance_loss,
                          training.evaluate(lstm, TASK).loss / TASK.chance_loss,
                          (error < 0.04).float().mean().item(), (error >= 0.08).float().mean().item(),
                          TASK.solved(predictions, y))
    return measured


def test_the_rnn_is_at_chance_and_the_lstm_far_below_it(scores, seed, record_property):
    rnn_error, lstm_error, *_ = scores[seed]
    record_property("RNN error / chance, LSTM error / chance, LSTM within 0.04, LSTM off by 0.08, solved", scores[seed])
    assert rnn_error > 0.9
    assert lstm_error < 0.1


def test_most_lstms_solve_the_task(scores):
    assert sum(score[-1] for score in scores.values()) >= 0.5 * len(scores), scores


def test_the_cell_state_keeps_the_gradient_the_rnn_loses(trained, seed, record_property):
    rnn, lstm, _ = trained[seed]
    x, y = TASK.sample(256, generator=torch.Generator().manual_seed(1))
    rnn_flow = gradients.gradient_norms_through_time(rnn, TASK, x, y).hidden
    cell_flow = gradients.gradient_norms_through_time(lstm, TASK, x, y).cell
    rnn_kept, cell_kept = (rnn_flow[-51] / rnn_flow[-1]).item(), (cell_flow[0] / cell_flow[-1]).item()
    record_property("RNN: share of the gradient kept 50 steps back; LSTM cell: share kept 99 steps back",
                    (rnn_kept, cell_kept))
    assert rnn_kept < 1e-3
    assert cell_kept > 0.5


def test_every_lstm_that_solved_the_task_has_an_adding_unit(trained, scores, seed, record_property):
    _, lstm, _ = trained[seed]
    x, _ = TASK.sample(256, generator=torch.Generator().manual_seed(1))
    marked = x[..., 1] > 0
    sums = (x[..., 0] * x[..., 1]).sum(dim=1)
    with torch.no_grad():
        trace = lstm.core.trace(x)
    i = trace.gates["input"]
    unit = int((i[marked].mean(dim=0) - i[~marked].mean(dim=0)).argmax())
    measured = (i[marked][:, unit].mean().item(), i[~marked][:, unit].mean().item(),
                trace.gates["forget"][..., unit].mean().item(),
                abs(np.corrcoef(trace.cell[:, -1, unit], sums)[0, 1]))
    record_property("adder: i at markers, i elsewhere, mean f, |correlation|", measured)
    if not scores[seed][-1]:
        pytest.skip("this LSTM has not solved the task yet")
    assert measured[0] > 0.85 and measured[1] < 0.02
    assert measured[2] > 0.99
    assert measured[3] > 0.99


def test_most_lstms_meet_the_1997_stopping_rule_within_the_papers_count(trained, record_property):
    sequences = []
    for _, _, history in trained.values():
        below = training.moving_average(history.loss) < 0.01
        sequences.append(64 * (int(np.argmax(below)) + 1) if below.any() else None)
    record_property("training sequences until the moving-average error is below 0.01", sequences)
    assert sum(count is not None and count < 74_000 for count in sequences) >= 0.5 * len(sequences)


def test_the_rnn_learns_t_10_and_is_at_chance_at_t_50(seeds, record_property):
    chance = TASK.chance_loss
    error = {}
    for length in (10, 50):
        task = tasks.AddingProblem(length=length)
        rnns = [Predictor.rnn(task, seed) for seed in seeds]
        training.train_together(rnns, task, seeds=seeds, steps=1000, lr=1e-2, clip=1.0)
        error[length] = [training.evaluate(rnn, task).loss / chance for rnn in rnns]
        record_property(f"RNN error / chance at T = {length}", error[length])
    assert all(e < 0.2 for e in error[10])
    assert all(e > 0.9 for e in error[50])
