"""Every checker accepts the reference answer and rejects the typical wrong ones, with the right hint."""

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
