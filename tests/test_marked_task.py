"""The marked-recall task of chapter 5: the inputs, the right target and chance.

Shapes and seeding are tested with every task in test_tasks.py, bad arguments in test_bad_input.py.
"""

import math

import pytest
import torch

from lstm_course import tasks


def test_every_step_shows_one_symbol_and_one_step_in_the_first_half_is_marked():
    task = tasks.MarkedRecall(n_symbols=4, length=21)
    x, _ = task.sample(500, generator=torch.Generator().manual_seed(1))
    assert (task.input_size, task.output_size) == (5, 4)
    symbols, marker = x[..., :-1], x[..., -1]
    assert torch.equal(symbols.sum(-1), torch.ones(500, 21))
    assert set(symbols.unique().tolist()) == {0.0, 1.0}
    assert torch.equal(marker.sum(-1), torch.ones(500))
    marked = marker.argmax(-1)
    assert marked.max().item() < 21 // 2
    assert set(marked.tolist()) == set(range(21 // 2))  # every step of the first half occurs


def test_the_target_is_the_symbol_at_the_marked_step():
    task = tasks.MarkedRecall(n_symbols=3, length=10)
    x, y = task.sample(50, generator=torch.Generator().manual_seed(2))
    for b in range(50):
        marked = [t for t in range(10) if x[b, t, -1] == 1]
        assert len(marked) == 1
        assert y[b].item() == int(x[b, marked[0], :-1].argmax())


def test_a_perfect_answer_at_the_last_step_scores_one():
    task = tasks.MarkedRecall()
    _, y = task.sample(10, generator=torch.Generator().manual_seed(6))
    perfect = torch.zeros(10, task.length, task.output_size)
    perfect[:, -1] = torch.nn.functional.one_hot(y, task.output_size).float() * 20
    assert task.accuracy(perfect, y) == 1.0
    assert task.loss(perfect, y).item() < 1e-6


def test_naming_the_last_symbol_shown_scores_chance():
    task = tasks.MarkedRecall(n_symbols=4, length=20)
    x, y = task.sample(4000, generator=torch.Generator().manual_seed(8))
    assert task.accuracy(x[..., :-1], y) == pytest.approx(task.chance, abs=0.02)


@pytest.mark.parametrize("n_symbols", [2, 4, 8])
def test_chance_is_the_best_blind_guess(n_symbols):
    task = tasks.MarkedRecall(n_symbols=n_symbols, length=16)
    _, y = task.sample(4000, generator=torch.Generator().manual_seed(7))
    uniform = torch.zeros(4000, 16, n_symbols)
    assert task.loss(uniform, y).item() == pytest.approx(task.chance_loss, abs=1e-6)
    assert task.chance_loss == pytest.approx(math.log(n_symbols))
    for symbol in range(n_symbols):  # always naming the same symbol
        blind = torch.nn.functional.one_hot(torch.full((4000, 16), symbol), n_symbols).float()
        assert task.accuracy(blind, y) == pytest.approx(task.chance, abs=0.025)
    assert task.chance == 1.0 / n_symbols


def test_repr_names_the_arguments():
    assert repr(tasks.MarkedRecall(n_symbols=5, length=9)) == "MarkedRecall(n_symbols=5, length=9)"
