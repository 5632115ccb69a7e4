"""The continual-stream task of chapter 4: shapes, seeding, the right target, chance, bad input."""

import math

import pytest
import torch

from lstm_course import tasks


def latest_symbols_by_hand(x):
    """The target, step by step: the index of the last non-blank input so far (-1 before any)."""
    targets = torch.full(x.shape[:2], -1, dtype=torch.long)
    for b in range(x.shape[0]):
        latest = -1
        for t in range(x.shape[1]):
            if x[b, t].sum() > 0:
                latest = int(x[b, t].argmax())
            targets[b, t] = latest
    return targets


def test_shapes_dtypes_and_scores():
    task = tasks.ContinualRecall(n_symbols=5, length=30)
    x, y = task.sample(6, generator=torch.Generator().manual_seed(0))
    assert x.shape == (6, 30, 5) and x.dtype == torch.float32
    assert y.shape == (6, 30) and y.dtype == torch.long
    assert task.input_size == task.output_size == 5
    predictions = torch.randn(6, 30, task.output_size)
    assert task.loss(predictions, y).dim() == 0
    assert 0.0 <= task.accuracy(predictions, y) <= 1.0


def test_inputs_are_blank_or_one_hot_and_the_first_step_brings_a_symbol():
    task = tasks.ContinualRecall(length=40, arrival_probability=0.2)
    x, _ = task.sample(100, generator=torch.Generator().manual_seed(1))
    per_step = x.sum(-1)
    assert set(per_step.unique().tolist()) <= {0.0, 1.0}
    assert torch.equal(per_step[:, 0], torch.ones(100))


def test_the_target_is_the_latest_symbol_to_arrive():
    task = tasks.ContinualRecall(n_symbols=3, length=25, arrival_probability=0.3)
    x, y = task.sample(40, generator=torch.Generator().manual_seed(2))
    assert torch.equal(y, latest_symbols_by_hand(x))
    every_step = tasks.ContinualRecall(length=10, arrival_probability=1.0)
    x, y = every_step.sample(5, generator=torch.Generator().manual_seed(2))
    assert torch.equal(y, x.argmax(-1))  # a symbol at every step: the answer is the input


def test_symbols_arrive_at_the_stated_rate():
    task = tasks.ContinualRecall(length=200, arrival_probability=0.05)
    x, _ = task.sample(500, generator=torch.Generator().manual_seed(5))
    assert x[:, 1:].sum(-1).mean().item() == pytest.approx(0.05, abs=0.003)


def test_a_perfect_answer_scores_one():
    task = tasks.ContinualRecall(length=30)
    _, y = task.sample(10, generator=torch.Generator().manual_seed(6))
    perfect = torch.nn.functional.one_hot(y, task.output_size).float() * 20
    assert task.accuracy(perfect, y) == 1.0
    assert task.loss(perfect, y).item() < 1e-6


@pytest.mark.parametrize("n_symbols", [2, 4, 8])
def test_chance_is_the_best_blind_guess(n_symbols):
    task = tasks.ContinualRecall(n_symbols=n_symbols, length=60)
    _, y = task.sample(4000, generator=torch.Generator().manual_seed(7))
    uniform = torch.zeros(*y.shape, n_symbols)  # the same scores whatever the input
    assert task.loss(uniform, y).item() == pytest.approx(task.chance_loss, abs=1e-6)
    assert task.chance_loss == pytest.approx(math.log(n_symbols))
    for symbol in range(n_symbols):  # always naming the same symbol
        blind = torch.nn.functional.one_hot(torch.full_like(y, symbol), n_symbols).float()
        assert task.accuracy(blind, y) == pytest.approx(task.chance, abs=0.015)
    assert task.chance == 1.0 / n_symbols


@pytest.mark.parametrize(
    "arguments, error, words",
    [
        ({"n_symbols": 1}, ValueError, "n_symbols must be at least 2"),
        ({"n_symbols": 2.5}, TypeError, "n_symbols must be a positive int"),
        ({"length": 0}, ValueError, "length must be a positive int"),
        ({"arrival_probability": 0.0}, ValueError, "arrival_probability must be in (0, 1], got 0.0"),
        ({"arrival_probability": 1.5}, ValueError, "arrival_probability must be in (0, 1], got 1.5"),
        ({"arrival_probability": "0.1"}, TypeError, "arrival_probability must be a number"),
    ],
)
def test_bad_arguments_name_the_argument_and_the_value(arguments, error, words):
    with pytest.raises(error) as raised:
        tasks.ContinualRecall(**arguments)
    assert words in str(raised.value)


def test_bad_batch_size_is_named():
    with pytest.raises(ValueError, match="batch_size must be a positive int"):
        tasks.ContinualRecall().sample(0)
