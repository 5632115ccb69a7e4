"""The cued-recall task of chapter 6: shapes, seeding, the right targets, chance, bad input."""

import math

import pytest
import torch
from torch.nn import functional as F

from lstm_course import tasks


def answers_by_hand(x):
    """The targets, step by step: the symbol shown, except at the cue, where it is the first symbol."""
    answers = torch.empty(x.shape[:2], dtype=torch.long)
    cues = []
    for b in range(x.shape[0]):
        for t in range(x.shape[1]):
            if x[b, t, -1] == 1:  # the cue
                answers[b, t] = int(x[b, 0].argmax())
                cues.append(t)
            else:
                answers[b, t] = int(x[b, t, :-1].argmax())
    return answers, torch.tensor(cues)


def test_shapes_dtypes_and_scores():
    task = tasks.CuedRecall(n_symbols=5, length=20)
    x, targets = task.sample(6, generator=torch.Generator().manual_seed(0))
    assert x.shape == (6, 20, 6) and x.dtype == torch.float32
    assert targets.answers.shape == (6, 20) and targets.answers.dtype == torch.long
    assert targets.cue.shape == (6,) and targets.cue.dtype == torch.long
    assert (task.input_size, task.output_size) == (6, 5)
    predictions = torch.randn(6, 20, task.output_size)
    assert task.loss(predictions, targets).dim() == 0
    assert 0.0 <= task.accuracy(predictions, targets) <= 1.0
    assert 0.0 <= task.echo_accuracy(predictions, targets) <= 1.0


def test_same_seed_same_sequences_other_seed_other_sequences():
    task = tasks.CuedRecall()
    x, targets = task.sample(8, generator=torch.Generator().manual_seed(3))
    x_again, targets_again = task.sample(8, generator=torch.Generator().manual_seed(3))
    x_other, _ = task.sample(8, generator=torch.Generator().manual_seed(4))
    assert torch.equal(x, x_again) and torch.equal(targets.answers, targets_again.answers)
    assert torch.equal(targets.cue, targets_again.cue)
    assert not torch.equal(x, x_other)


def test_every_step_shows_one_symbol_or_the_cue_alone():
    task = tasks.CuedRecall(length=30)
    x, targets = task.sample(200, generator=torch.Generator().manual_seed(1))
    assert torch.equal(x.sum(dim=-1), torch.ones(200, 30))
    assert torch.equal(x[..., -1].argmax(dim=1), targets.cue)
    assert torch.equal(x[..., -1].sum(dim=1), torch.ones(200))


def test_the_cue_lies_in_the_second_half_and_reaches_both_ends():
    task = tasks.CuedRecall(length=30)
    _, targets = task.sample(2000, generator=torch.Generator().manual_seed(2))
    assert targets.cue.min() == 15 and targets.cue.max() == 29


def test_the_targets_name_each_input_and_the_first_symbol_at_the_cue():
    task = tasks.CuedRecall(n_symbols=3, length=9)
    x, targets = task.sample(50, generator=torch.Generator().manual_seed(5))
    answers, cues = answers_by_hand(x)
    assert torch.equal(targets.answers, answers)
    assert torch.equal(targets.cue, cues)


def test_a_perfect_answer_scores_one_and_an_echo_of_the_input_only_at_the_other_steps():
    task = tasks.CuedRecall(length=20)
    x, targets = task.sample(400, generator=torch.Generator().manual_seed(6))
    perfect = F.one_hot(targets.answers, task.output_size).float() * 20
    assert task.accuracy(perfect, targets) == 1.0 and task.echo_accuracy(perfect, targets) == 1.0
    assert task.loss(perfect, targets).item() < 1e-6
    echo = x[..., :-1] * 20  # names what it sees; at the cue it sees no symbol and names symbol 0
    assert task.echo_accuracy(echo, targets) == 1.0
    assert task.accuracy(echo, targets) == pytest.approx(task.chance, abs=0.06)


@pytest.mark.parametrize("n_symbols", [2, 4, 8])
def test_chance_is_the_best_blind_guess(n_symbols):
    task = tasks.CuedRecall(n_symbols=n_symbols)
    _, targets = task.sample(4000, generator=torch.Generator().manual_seed(7))
    uniform = torch.zeros(4000, task.length, n_symbols)  # the same scores whatever the input
    assert task.loss(uniform, targets).item() == pytest.approx(task.chance_loss, abs=1e-5)
    assert task.chance_loss == pytest.approx(2 * math.log(n_symbols))
    for symbol in range(n_symbols):  # always naming the same symbol
        blind = F.one_hot(torch.full_like(targets.answers, symbol), n_symbols).float()
        assert task.accuracy(blind, targets) == pytest.approx(task.chance, abs=0.025)
    assert task.chance == 1.0 / n_symbols


def test_the_cue_and_the_other_steps_weigh_equally_in_the_loss():
    task = tasks.CuedRecall(length=10)
    x, targets = task.sample(100, generator=torch.Generator().manual_seed(8))
    echo = x[..., :-1] * 50  # right at every step but the cue, where it is uniform
    assert task.loss(echo, targets).item() == pytest.approx(math.log(task.n_symbols), abs=1e-4)


@pytest.mark.parametrize(
    "arguments, error, words",
    [
        ({"n_symbols": 1}, ValueError, "n_symbols must be at least 2"),
        ({"n_symbols": 2.5}, TypeError, "n_symbols must be a positive int"),
        ({"length": 0}, ValueError, "length must be a positive int"),
        ({"length": 2}, ValueError, "length must be at least 3"),
        ({"length": "30"}, TypeError, "length must be a positive int"),
    ],
)
def test_bad_arguments_name_the_argument_and_the_value(arguments, error, words):
    with pytest.raises(error) as raised:
        tasks.CuedRecall(**arguments)
    assert words in str(raised.value)


def test_bad_batch_size_is_named():
    with pytest.raises(ValueError, match="batch_size must be a positive int"):
        tasks.CuedRecall().sample(0)
