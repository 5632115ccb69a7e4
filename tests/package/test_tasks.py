"""Every task: its shapes and seeding, the answer being in the input, the right targets, and the
documented chance levels; and the adding problem's rule for a solved task."""

import math

import pytest
import torch
from torch.nn import functional as F

from lstm_course import tasks


def tensors(sample):
    """The tensors of a sample ``(x, targets)``, with the pair of a ``CuedTargets`` unpacked."""
    x, targets = sample
    return [x, *targets] if isinstance(targets, tuple) else [x, targets]


# Every task

@pytest.mark.parametrize(
    ("task", "x_shape", "target_shapes", "output_size"),
    [
        (tasks.DelayedRecall(lag=7), (5, 8, 4), [(5,)], 4),
        (tasks.DelayedRecall(lag=3, n_symbols=6, length=10), (5, 10, 6), [(5,)], 6),
        (tasks.AddingProblem(30), (5, 30, 2), [(5,)], 1),
        (tasks.MarkedRecall(n_symbols=5, length=12), (5, 12, 6), [(5,)], 5),
        (tasks.ContinualRecall(n_symbols=5, length=30), (5, 30, 5), [(5, 30)], 5),
        (tasks.CuedRecall(n_symbols=5, length=20), (5, 20, 6), [(5, 20), (5,)], 5),
    ],
    ids=repr,
)
def test_samples_have_the_documented_shapes_and_scores_are_a_scalar_loss_and_a_fraction(
    task, x_shape, target_shapes, output_size
):
    sample = task.sample(5, generator=torch.Generator().manual_seed(0))
    x, *targets = tensors(sample)
    assert x.shape == x_shape and x.dtype == torch.float32
    assert (task.length, task.input_size, task.output_size) == (x_shape[1], x_shape[2], output_size)
    assert [tuple(target.shape) for target in targets] == target_shapes
    target_dtype = torch.float32 if isinstance(task, tasks.AddingProblem) else torch.long  # a sum, or symbols
    assert all(target.dtype == target_dtype for target in targets)
    predictions = torch.randn(5, task.length, task.output_size)
    assert task.loss(predictions, sample[1]).dim() == 0
    assert 0.0 <= task.accuracy(predictions, sample[1]) <= 1.0


@pytest.mark.parametrize(
    "task",
    [tasks.DelayedRecall(lag=7), tasks.AddingProblem(30), tasks.MarkedRecall(n_symbols=5, length=12),
     tasks.ContinualRecall(length=50), tasks.CuedRecall()],
    ids=repr,
)
def test_the_same_seed_draws_the_same_batch_and_another_seed_another(task):
    first = tensors(task.sample(8, generator=torch.Generator().manual_seed(3)))
    again = tensors(task.sample(8, generator=torch.Generator().manual_seed(3)))
    other = tensors(task.sample(8, generator=torch.Generator().manual_seed(4)))
    assert all(torch.equal(a, b) for a, b in zip(first, again))
    assert not torch.equal(first[0], other[0])


@pytest.mark.parametrize("n_symbols", [2, 4, 8])
@pytest.mark.parametrize(
    ("make_task", "chance_loss_in_log_n"),
    [
        (lambda n: tasks.DelayedRecall(lag=3, n_symbols=n), 1),
        (lambda n: tasks.MarkedRecall(n_symbols=n, length=16), 1),
        (lambda n: tasks.ContinualRecall(n_symbols=n, length=60), 1),
        (lambda n: tasks.CuedRecall(n_symbols=n), 2),  # the uniform guess at the cue, and at the other steps
    ],
    ids=["DelayedRecall", "MarkedRecall", "ContinualRecall", "CuedRecall"],
)
def test_chance_is_the_best_blind_guess(make_task, chance_loss_in_log_n, n_symbols):
    task = make_task(n_symbols)
    _, targets = task.sample(4000, generator=torch.Generator().manual_seed(7))
    uniform = torch.zeros(4000, task.length, n_symbols)  # the same scores whatever the input
    assert task.loss(uniform, targets).item() == pytest.approx(task.chance_loss, rel=1e-5)
    assert task.chance_loss == pytest.approx(chance_loss_in_log_n * math.log(n_symbols))
    for symbol in range(n_symbols):  # always naming the same symbol
        blind = F.one_hot(torch.full((4000, task.length), symbol), n_symbols).float()
        assert task.accuracy(blind, targets) == pytest.approx(task.chance, abs=0.025)
    assert task.chance == 1.0 / n_symbols


@pytest.mark.parametrize("task", [tasks.DelayedRecall(lag=5), tasks.MarkedRecall()], ids=repr)
def test_recall_at_the_end_scores_the_answer_at_the_last_step_and_no_other(task):
    _, y = task.sample(10, generator=torch.Generator().manual_seed(6))
    right = F.one_hot(y, task.output_size).float() * 20  # (B, n_symbols)
    wrong = F.one_hot((y + 1) % task.n_symbols, task.output_size).float() * 20
    right_at_the_end = wrong.unsqueeze(1).repeat(1, task.length, 1)
    right_at_the_end[:, -1] = right
    assert task.accuracy(right_at_the_end, y) == 1.0
    assert task.loss(right_at_the_end, y).item() < 1e-6
    wrong_at_the_end = right.unsqueeze(1).repeat(1, task.length, 1)
    wrong_at_the_end[:, -1] = wrong
    assert task.accuracy(wrong_at_the_end, y) == 0.0
    assert task.loss(wrong_at_the_end, y).item() > 10


# Delayed recall (chapters 1-4)

def test_delayed_recall_shows_one_symbol_lag_steps_before_the_end():
    task = tasks.DelayedRecall(lag=4, length=9)
    x, y = task.sample(50, generator=torch.Generator().manual_seed(0))
    position = task.length - 1 - task.lag
    assert torch.equal(x[:, position].argmax(-1), y)
    assert torch.equal(x.sum(dim=(1, 2)), torch.ones(50))  # every other step is blank


# The adding problem (chapters 2 and 7)

def test_adding_problem_marks_one_step_in_each_half_and_sums_them():
    task = tasks.AddingProblem(20)
    x, y = task.sample(100, generator=torch.Generator().manual_seed(0))
    markers = x[..., 1]
    assert torch.equal(markers[:, :10].sum(1), torch.ones(100))
    assert torch.equal(markers[:, 10:].sum(1), torch.ones(100))
    torch.testing.assert_close((x[..., 0] * markers).sum(1), y)


def test_adding_problem_chance_is_always_answering_one():
    task = tasks.AddingProblem(50)
    _, y = task.sample(50_000, generator=torch.Generator().manual_seed(2))
    blind = torch.ones(len(y), task.length, 1)
    assert task.loss(blind, y).item() == pytest.approx(task.chance_loss, abs=0.004)
    assert task.accuracy(blind, y) == pytest.approx(task.chance, abs=0.004)
    assert task.chance == pytest.approx(0.0784)
    for constant in (0.9, 0.95, 1.05, 1.1):  # no other constant does better on either score
        guess = torch.full_like(blind, constant)
        assert task.loss(guess, y) > task.loss(blind, y)
        assert task.accuracy(guess, y) < task.accuracy(blind, y) + 0.003


@pytest.mark.parametrize(
    ("answer", "solved"),
    [
        (lambda y: y, True),
        (lambda y: y + 0.03, True),  # within the tolerance, 0.04, everywhere
        (lambda y: torch.ones_like(y), False),  # chance
        (lambda y: y + 0.05, False),  # a small mean squared error, but no sum within the tolerance
        (lambda y: y + 0.1 * (torch.arange(1000) < 30), False),  # 3% of the sums off by more than twice the tolerance
        (lambda y: y + 0.6 * (torch.arange(1000) < 10), False),  # 1% far off: the mean squared error is too large
    ],
    ids=["perfect", "off-by-0.03", "always-one", "off-by-0.05", "3%-off-by-0.1", "1%-off-by-0.6"],
)
def test_adding_problem_is_solved_only_by_predictions_close_to_every_sum(answer, solved):
    task = tasks.AddingProblem(10)
    _, y = task.sample(1000, generator=torch.Generator().manual_seed(3))
    predictions = torch.zeros(1000, task.length, 1)
    predictions[:, -1, 0] = answer(y)  # only the last step is read
    assert task.solved(predictions, y) is solved


# Marked recall (chapter 5)

def test_marked_recall_shows_a_symbol_at_every_step_and_marks_one_in_the_first_half():
    task = tasks.MarkedRecall(n_symbols=4, length=21)
    x, _ = task.sample(500, generator=torch.Generator().manual_seed(1))
    symbols, marker = x[..., :-1], x[..., -1]
    assert torch.equal(symbols.sum(-1), torch.ones(500, 21))
    assert set(symbols.unique().tolist()) == {0.0, 1.0}
    assert torch.equal(marker.sum(-1), torch.ones(500))
    marked = marker.argmax(-1)
    assert set(marked.tolist()) == set(range(21 // 2))  # every step of the first half, and no other


def test_marked_recall_targets_the_symbol_at_the_marked_step():
    task = tasks.MarkedRecall(n_symbols=3, length=10)
    x, y = task.sample(50, generator=torch.Generator().manual_seed(2))
    for b in range(50):
        marked = [t for t in range(10) if x[b, t, -1] == 1]
        assert len(marked) == 1
        assert y[b].item() == int(x[b, marked[0], :-1].argmax())


def test_marked_recall_naming_the_last_symbol_shown_scores_chance():
    task = tasks.MarkedRecall(n_symbols=4, length=20)
    x, y = task.sample(4000, generator=torch.Generator().manual_seed(8))
    assert task.accuracy(x[..., :-1], y) == pytest.approx(task.chance, abs=0.02)


def test_marked_recall_repr_names_the_arguments():
    assert repr(tasks.MarkedRecall(n_symbols=5, length=9)) == "MarkedRecall(n_symbols=5, length=9)"
    assert repr(tasks.MarkedRecall(length=9, distractors=False)) == \
        "MarkedRecall(n_symbols=8, length=9, distractors=False)"


def test_marked_recall_without_distractors_is_the_same_draw_with_the_other_steps_blank():
    with_them = tasks.MarkedRecall(n_symbols=4, length=20)
    without = tasks.MarkedRecall(n_symbols=4, length=20, distractors=False)
    x, y = with_them.sample(300, generator=torch.Generator().manual_seed(3))
    x_blank, y_blank = without.sample(300, generator=torch.Generator().manual_seed(3))
    marker = x[..., -1:]
    assert torch.equal(y_blank, y)
    assert torch.equal(x_blank[..., -1:], marker)  # the same marked steps
    assert torch.equal(x_blank[..., :-1], x[..., :-1] * marker)  # only the marked step shows a symbol
    assert torch.equal(x_blank[..., :-1].sum(dim=(1, 2)), torch.ones(300))


# Continual recall (chapter 4)

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


def test_continual_recall_inputs_are_blank_or_one_hot_and_the_first_step_brings_a_symbol():
    task = tasks.ContinualRecall(length=40, arrival_probability=0.2)
    x, _ = task.sample(100, generator=torch.Generator().manual_seed(1))
    per_step = x.sum(-1)
    assert set(per_step.unique().tolist()) == {0.0, 1.0}
    assert torch.equal(per_step[:, 0], torch.ones(100))


def test_continual_recall_targets_the_latest_symbol_to_arrive():
    task = tasks.ContinualRecall(n_symbols=3, length=25, arrival_probability=0.3)
    x, y = task.sample(40, generator=torch.Generator().manual_seed(2))
    assert torch.equal(y, latest_symbols_by_hand(x))
    every_step = tasks.ContinualRecall(length=10, arrival_probability=1.0)
    x, y = every_step.sample(5, generator=torch.Generator().manual_seed(2))
    assert torch.equal(y, x.argmax(-1))  # a symbol at every step: the answer is the input


def test_continual_recall_symbols_arrive_at_the_stated_rate():
    task = tasks.ContinualRecall(length=200, arrival_probability=0.05)
    x, _ = task.sample(500, generator=torch.Generator().manual_seed(5))
    assert x[:, 1:].sum(-1).mean().item() == pytest.approx(0.05, abs=0.003)


def test_continual_recall_scores_one_for_the_right_answer_at_every_step():
    task = tasks.ContinualRecall(length=30)
    _, y = task.sample(10, generator=torch.Generator().manual_seed(6))
    perfect = F.one_hot(y, task.output_size).float() * 20
    assert task.accuracy(perfect, y) == 1.0
    assert task.loss(perfect, y).item() < 1e-6


# Cued recall (chapter 6)

def cued_answers_by_hand(x):
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


def test_cued_recall_shows_one_symbol_or_the_cue_alone_at_every_step():
    task = tasks.CuedRecall(length=30)
    x, targets = task.sample(200, generator=torch.Generator().manual_seed(1))
    assert torch.equal(x.sum(dim=-1), torch.ones(200, 30))
    assert torch.equal(x[..., -1].argmax(dim=1), targets.cue)
    assert torch.equal(x[..., -1].sum(dim=1), torch.ones(200))


def test_cued_recall_puts_the_cue_in_the_second_half_up_to_both_ends():
    task = tasks.CuedRecall(length=30)
    _, targets = task.sample(2000, generator=torch.Generator().manual_seed(2))
    assert targets.cue.min() == 15 and targets.cue.max() == 29


def test_cued_recall_targets_each_input_and_the_first_symbol_at_the_cue():
    task = tasks.CuedRecall(n_symbols=3, length=9)
    x, targets = task.sample(50, generator=torch.Generator().manual_seed(5))
    answers, cues = cued_answers_by_hand(x)
    assert torch.equal(targets.answers, answers)
    assert torch.equal(targets.cue, cues)


def test_cued_recall_scores_a_perfect_answer_one_and_an_echo_of_the_input_only_away_from_the_cue():
    task = tasks.CuedRecall(length=20)
    x, targets = task.sample(400, generator=torch.Generator().manual_seed(6))
    perfect = F.one_hot(targets.answers, task.output_size).float() * 20
    assert task.accuracy(perfect, targets) == 1.0 and task.echo_accuracy(perfect, targets) == 1.0
    assert task.loss(perfect, targets).item() < 1e-6
    echo = x[..., :-1] * 20  # names what it sees; at the cue it sees no symbol and names symbol 0
    assert task.echo_accuracy(echo, targets) == 1.0
    assert task.accuracy(echo, targets) == pytest.approx(task.chance, abs=0.06)


def test_cued_recall_weighs_the_cue_and_the_other_steps_equally_in_the_loss():
    task = tasks.CuedRecall(length=10)
    x, targets = task.sample(100, generator=torch.Generator().manual_seed(8))
    echo = x[..., :-1] * 50  # right at every step but the cue, where it is uniform
    assert task.loss(echo, targets).item() == pytest.approx(math.log(task.n_symbols), abs=1e-4)


# The embedded Reber grammar

def reber_strings(task, batch_size, seed):
    """A batch of the embedded Reber task, as letter strings, with its targets."""
    x, targets = task.sample(batch_size, generator=torch.Generator().manual_seed(seed))
    return [task.to_text(row, nexts) for row, nexts in zip(x, targets.next_symbols)], x, targets


def in_reber_grammar(inner):
    """Whether ``inner`` is a string of the (plain) Reber grammar, walked by hand."""
    graph = {0: {"T": 1, "P": 2}, 1: {"S": 1, "X": 3}, 2: {"T": 2, "V": 4}, 3: {"X": 2, "S": 5}, 4: {"P": 3, "V": 5}}
    if not (inner.startswith("B") and inner.endswith("E")):
        return False
    node = 0
    for symbol in inner[1:-1]:
        if node not in graph or symbol not in graph[node]:
            return False
        node = graph[node][symbol]
    return node == 5


def test_reber_strings_are_embedded_grammatical_strings_with_the_branch_repeated():
    strings, _, _ = reber_strings(tasks.EmbeddedReber(), 300, seed=1)
    for string in strings:
        assert string[0] == "B" and string[-1] == "E" and string[1] in "TP"
        assert string[-2] == string[1], string  # the long-range dependency
        assert in_reber_grammar(string[2:-2]), string
    assert {string[1] for string in strings} == {"T", "P"}


def test_reber_inputs_are_the_string_and_targets_its_next_symbols_padded_after_the_end():
    task = tasks.EmbeddedReber()
    strings, x, targets = reber_strings(task, 50, seed=2)
    assert x.shape[1] == max(len(string) for string in strings) - 1
    for row, string in enumerate(strings):
        steps = len(string) - 1
        assert [tasks.reber.SYMBOLS[i] for i in x[row, :steps].argmax(-1).tolist()] == list(string[:-1])
        assert torch.equal(x[row, steps:], torch.zeros_like(x[row, steps:]))
        assert "".join(tasks.reber.SYMBOLS[i] for i in targets.next_symbols[row, :steps].tolist()) == string[1:]
        assert (targets.next_symbols[row, steps:] == -1).all()
        assert targets.memory_step[row] == steps - 2  # the input there is the inner E
        assert string[targets.memory_step[row]] == "E"


def test_reber_legal_sets_allow_the_next_symbol_and_fix_only_the_deterministic_steps():
    task = tasks.EmbeddedReber()
    _, _, targets = reber_strings(task, 200, seed=3)
    real = targets.next_symbols >= 0
    allowed = targets.legal.gather(-1, targets.next_symbols.clamp(min=0).unsqueeze(-1)).squeeze(-1)
    assert allowed[real].all()
    choices = targets.legal.sum(-1)  # (B, T)
    assert set(choices[real].unique().tolist()) == {1, 2}  # the grammar branches in two, or is certain
    rows = torch.arange(200)
    assert (choices[rows, targets.memory_step] == 1).all()  # after the inner E only the branch symbol is legal
    assert (choices[~real] == 0).all()


def test_reber_scores_the_long_range_step_and_the_grammar_separately():
    task = tasks.EmbeddedReber()
    _, x, targets = reber_strings(task, 400, seed=4)
    perfect = torch.where(targets.legal, 10.0, -10.0)  # all legal symbols equally likely
    assert task.accuracy(perfect, targets) == 1.0 and task.grammar_accuracy(perfect, targets) == 1.0
    forgetful = perfect.clone()
    rows = torch.arange(400)
    forgetful[rows, targets.memory_step, 1] = 10.0  # always T after the inner E
    forgetful[rows, targets.memory_step, 2] = -10.0
    assert task.accuracy(forgetful, targets) == pytest.approx(task.chance, abs=0.06)
    assert task.grammar_accuracy(forgetful, targets) == 1.0  # the long-range step is not part of it
    uniform = torch.zeros_like(perfect)
    assert task.loss(uniform, targets).item() == pytest.approx(task.chance_loss, rel=1e-6)


def test_reber_strings_never_exceed_max_length_and_are_seeded():
    task = tasks.EmbeddedReber(max_length=12)
    strings, _, _ = reber_strings(task, 300, seed=5)
    assert max(len(string) for string in strings) <= 12 and min(len(string) for string in strings) == 9
    again, _, _ = reber_strings(task, 300, seed=5)
    other, _, _ = reber_strings(task, 300, seed=6)
    assert strings == again and strings != other
