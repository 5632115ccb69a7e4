"""Every checker accepts the reference answer and rejects the typical wrong ones, with the right hint."""

import math

import pytest
import torch

from lstm_course import exercises


def right_count(input_size, hidden_size):
    return hidden_size * input_size + hidden_size * hidden_size + hidden_size


def right_step(x, h, W_x, W_h, b):
    return torch.tanh(x @ W_x.T + h @ W_h.T + b)


def test_rnn_parameter_count_checker_accepts_the_answer(capsys):
    assert exercises.check_rnn_parameter_count(right_count)
    assert capsys.readouterr().out.startswith("Correct")


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (lambda i, h: h * i + h * h, "left out the bias"),
        (lambda i, h: h * i + h * h + 2 * h, "two biases"),
        (lambda i, h: 2 * h * i + h, "H x H"),
        (lambda i, h: 4 * (h * i + h * h + h), "separately"),
    ],
)
def test_rnn_parameter_count_checker_rejects_typical_mistakes(wrong, hint, capsys):
    assert not exercises.check_rnn_parameter_count(wrong)
    out = capsys.readouterr().out
    assert out.startswith("Not yet") and hint in out


def test_lstm_parameter_count_checker_accepts_the_answer(capsys):
    assert exercises.check_lstm_parameter_count(lambda i, h: 4 * h * (i + h + 1))
    assert capsys.readouterr().out.startswith("Correct")


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (lambda i, h: h * (i + h + 1), "the RNN's count"),
        (lambda i, h: 3 * h * (i + h + 1), "candidate"),
        (lambda i, h: 4 * h * (i + h), "bias"),
        (lambda i, h: 4 * h * (i + h + 2), "two biases"),
        (lambda i, h: 4 * (i + h + 1), "multiply"),
    ],
)
def test_lstm_parameter_count_checker_rejects_typical_mistakes(wrong, hint, capsys):
    assert not exercises.check_lstm_parameter_count(wrong)
    out = capsys.readouterr().out
    assert out.startswith("Not yet") and hint in out


def test_rnn_step_checker_accepts_the_answer(capsys):
    assert exercises.check_rnn_step(right_step)
    assert capsys.readouterr().out.startswith("Correct")


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (lambda x, h, W_x, W_h, b: x @ W_x.T + h @ W_h.T + b, "tanh"),
        (lambda x, h, W_x, W_h, b: x @ W_x + h @ W_h + b, "x @ W_x.T"),
        (lambda x, h, W_x, W_h, b: torch.tanh(x @ W_x.T + h @ W_h + b), "W_h multiplies"),
        (lambda x, h, W_x, W_h, b: torch.tanh(x @ W_x.T + b).sum(), "shape"),
    ],
)
def test_rnn_step_checker_rejects_typical_mistakes(wrong, hint, capsys):
    assert not exercises.check_rnn_step(wrong)
    out = capsys.readouterr().out
    assert out.startswith("Not yet") and hint in out


def right_bound(W_h, distance):
    return torch.linalg.matrix_norm(W_h, ord=2).item() ** distance


def test_gradient_norm_bound_checker_accepts_the_answer(capsys):
    assert exercises.check_gradient_norm_bound(right_bound)
    assert capsys.readouterr().out.startswith("Correct")


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (lambda W, d: torch.linalg.eigvals(W).abs().max().item() ** d, "spectral radius"),
        (lambda W, d: torch.linalg.matrix_norm(W).item() ** d, "Frobenius"),
        (lambda W, d: torch.linalg.matrix_norm(W, ord=2).item(), "power"),
        (lambda W, d: torch.linalg.matrix_norm(W, ord=2).item() ** (d - 1), "count the factors"),
        (lambda W, d: 0.5, "multiply one factor per step"),
        (lambda W, d: W @ W, "should return one number"),
    ],
)
def test_gradient_norm_bound_checker_rejects_typical_mistakes(wrong, hint, capsys):
    assert not exercises.check_gradient_norm_bound(wrong)
    out = capsys.readouterr().out
    assert out.startswith("Not yet") and hint in out


def right_steps(f, fraction):
    if f >= 1:
        return None
    return math.floor(math.log(fraction) / math.log(f)) + 1


def test_steps_until_below_checker_accepts_the_answer_and_a_loop(capsys):
    def by_loop(f, fraction):
        if f >= 1:
            return None
        k, left = 0, 1.0
        while left >= fraction:
            k, left = k + 1, left * f
        return k

    assert exercises.check_steps_until_below(right_steps)
    assert exercises.check_steps_until_below(by_loop)
    assert capsys.readouterr().out.startswith("Correct")


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (lambda f, x: None if f >= 1 else math.floor(math.log(x) / math.log(f)), "count one more step"),
        (lambda f, x: 10**9 if f >= 1 else right_steps(f, x), "answer is None"),
        (lambda f, x: None, "always falls below"),
        (lambda f, x: None if f >= 1 else round(x / (1 - f)), "smallest whole k"),
    ],
)
def test_steps_until_below_checker_rejects_typical_mistakes(wrong, hint, capsys):
    assert not exercises.check_steps_until_below(wrong)
    out = capsys.readouterr().out
    assert out.startswith("Not yet") and hint in out


def right_bias(lag, fraction):
    f = fraction ** (1 / lag)
    return math.log(f / (1 - f))


def test_forget_bias_checker_accepts_the_answer(capsys):
    assert exercises.check_forget_bias_to_keep(right_bias)
    assert capsys.readouterr().out.startswith("Correct")


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (lambda lag, fraction: fraction ** (1 / lag), "inverts the sigmoid"),
        (lambda lag, fraction: -right_bias(lag, fraction), "check the sign"),
        (lambda lag, fraction: math.log(fraction) / lag, "logarithm of the gate's value"),
        (lambda lag, fraction: "big", "return the bias as a number"),
    ],
)
def test_forget_bias_checker_rejects_typical_mistakes(wrong, hint, capsys):
    assert not exercises.check_forget_bias_to_keep(wrong)
    out = capsys.readouterr().out
    assert out.startswith("Not yet") and hint in out


def right_cell_after(c0, f, i, g):
    c = c0
    for t in range(len(f)):
        c = f[t] * c + i[t] * g[t]
    return c


def test_cell_after_writes_checker_accepts_the_answer(capsys):
    assert exercises.check_cell_after_writes(right_cell_after)
    assert capsys.readouterr().out.startswith("Correct")


def forget_after_the_write(c0, f, i, g):
    c = c0
    for t in range(len(f)):
        c = f[t] * (c + i[t] * g[t])
    return c


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (lambda c0, f, i, g: c0 + (i * g).sum(dim=0), "scales the old cell state"),
        (lambda c0, f, i, g: right_cell_after(c0, f, torch.ones_like(i), g), "filters the candidate"),
        (forget_after_the_write, "before the new write"),
        (lambda c0, f, i, g: f[-1] * c0 + i[-1] * g[-1], "every step counts"),
        (lambda c0, f, i, g: torch.stack([right_cell_after(c0, f[: t + 1], i, g) for t in range(len(f))]), "shape"),
        (lambda c0, f, i, g: c0 @ f, "raised"),
        (lambda c0, f, i, g: right_cell_after(c0, f, i, g) + 1, "at each step t set"),
    ],
)
def test_cell_after_writes_checker_rejects_typical_mistakes(wrong, hint, capsys):
    assert not exercises.check_cell_after_writes(wrong)
    out = capsys.readouterr().out
    assert out.startswith("Not yet") and hint in out


def right_hidden_state(c, a_o):
    return torch.sigmoid(a_o) * torch.tanh(c)


def test_hidden_state_checker_accepts_the_answer(capsys):
    assert exercises.check_hidden_state(right_hidden_state)
    assert capsys.readouterr().out.startswith("Correct")


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (lambda c, a_o: torch.tanh(c), "without an output gate"),
        (lambda c, a_o: torch.sigmoid(a_o) * c, "squashed by tanh"),
        (lambda c, a_o: torch.tanh(torch.sigmoid(a_o) * c), "not go inside the tanh"),
        (lambda c, a_o: a_o * torch.tanh(c), "pre-activation"),
        (lambda c, a_o: right_hidden_state(c, a_o).sum(dim=0), "shape"),
        (lambda c, a_o: c @ a_o, "raised"),
        (lambda c, a_o: right_hidden_state(c, a_o) + 0.1, "element by element"),
    ],
)
def test_hidden_state_checker_rejects_typical_mistakes(wrong, hint, capsys):
    assert not exercises.check_hidden_state(wrong)
    out = capsys.readouterr().out
    assert out.startswith("Not yet") and hint in out
