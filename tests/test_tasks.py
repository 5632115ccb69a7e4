"""Task generators: shapes, seeding, the answer being in the input, and the documented chance levels."""

import math

import pytest
import torch

from lstm_course import tasks

ALL_TASKS = [tasks.DelayedRecall(lag=7), tasks.DelayedRecall(lag=3, n_symbols=6, length=10), tasks.AddingProblem(30),
             tasks.MarkedRecall(n_symbols=5, length=12)]


@pytest.mark.parametrize("task", ALL_TASKS, ids=repr)
def test_shapes_and_sizes(task):
    x, y = task.sample(5, generator=torch.Generator().manual_seed(0))
    assert x.shape == (5, task.length, task.input_size)
    assert x.dtype == torch.float32
    assert y.shape == (5,)
    predictions = torch.zeros(5, task.length, task.output_size)
    assert task.loss(predictions, y).dim() == 0
    assert 0.0 <= task.accuracy(predictions, y) <= 1.0


@pytest.mark.parametrize("task", [*ALL_TASKS, tasks.ContinualRecall(length=50)], ids=repr)
def test_same_seed_same_batch_other_seed_other_batch(task):
    first = task.sample(8, generator=torch.Generator().manual_seed(3))
    again = task.sample(8, generator=torch.Generator().manual_seed(3))
    other = task.sample(8, generator=torch.Generator().manual_seed(4))
    assert all(torch.equal(a, b) for a, b in zip(first, again))
    assert not torch.equal(first[0], other[0])


def test_delayed_recall_shows_one_symbol_lag_steps_before_the_end():
    task = tasks.DelayedRecall(lag=4, length=9)
    x, y = task.sample(50, generator=torch.Generator().manual_seed(0))
    position = task.length - 1 - task.lag
    assert torch.equal(x[:, position].argmax(-1), y)
    assert torch.equal(x.sum(dim=(1, 2)), torch.ones(50))  # every other step is blank


def test_adding_problem_marks_one_step_in_each_half_and_sums_them():
    task = tasks.AddingProblem(20)
    x, y = task.sample(100, generator=torch.Generator().manual_seed(0))
    markers = x[..., 1]
    assert torch.equal(markers[:, :10].sum(1), torch.ones(100))
    assert torch.equal(markers[:, 10:].sum(1), torch.ones(100))
    torch.testing.assert_close((x[..., 0] * markers).sum(1), y)


@pytest.mark.parametrize("n_symbols", [2, 4, 10])
def test_delayed_recall_chance_is_a_uniform_guess(n_symbols):
    task = tasks.DelayedRecall(lag=3, n_symbols=n_symbols)
    x, y = task.sample(20_000, generator=torch.Generator().manual_seed(1))
    blind = torch.zeros(len(y), task.length, n_symbols)  # the same answer whatever the input
    assert task.accuracy(blind, y) == pytest.approx(task.chance, abs=0.015)
    assert task.loss(blind, y).item() == pytest.approx(task.chance_loss, abs=1e-6)
    assert task.chance_loss == pytest.approx(math.log(n_symbols))


def test_adding_problem_chance_is_always_answering_one():
    task = tasks.AddingProblem(50)
    x, y = task.sample(50_000, generator=torch.Generator().manual_seed(2))
    blind = torch.ones(len(y), task.length, 1)
    assert task.loss(blind, y).item() == pytest.approx(task.chance_loss, abs=0.004)
    assert task.accuracy(blind, y) == pytest.approx(task.chance, abs=0.004)
    assert task.chance == pytest.approx(0.0784)
    # no other constant does better on either score
    for constant in (0.9, 0.95, 1.05, 1.1):
        guess = torch.full_like(blind, constant)
        assert task.loss(guess, y) > task.loss(blind, y)
        assert task.accuracy(guess, y) < task.accuracy(blind, y) + 0.003
