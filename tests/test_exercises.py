"""Every checker accepts the reference answer and rejects the typical wrong ones, with the right hint."""

import math

import pytest
import torch

from lstm_course import exercises


def right_count(input_size, hidden_size):
    return hidden_size * input_size + hidden_size * hidden_size + hidden_size


def right_step(x, h, W_x, W_h, b):
    return torch.tanh(x @ W_x.T + h @ W_h.T + b)


def test_parameter_count_checker_accepts_the_answer(capsys):
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
def test_parameter_count_checker_rejects_typical_mistakes(wrong, hint, capsys):
    assert not exercises.check_rnn_parameter_count(wrong)
    out = capsys.readouterr().out
    assert out.startswith("Not yet") and hint in out


def test_step_checker_accepts_the_answer(capsys):
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
def test_step_checker_rejects_typical_mistakes(wrong, hint, capsys):
    assert not exercises.check_rnn_step(wrong)
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
