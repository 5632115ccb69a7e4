"""Bad input fails at the boundary with a message that names the argument, the expectation and the value."""

import pytest
import torch

from lstm_course import LSTM, RNN, LSTMCell, RNNCell, tasks, training


@pytest.mark.parametrize(
    ("call", "error", "words"),
    [
        (lambda: LSTM(2, 4)(torch.zeros(3, 2)), ValueError, ["x", "(batch, time, features)", "(3, 2)"]),
        (lambda: LSTM(2, 4)(torch.zeros(3, 5, 7)), ValueError, ["x", "2 features", "(3, 5, 7)"]),
        (lambda: RNN(2, 4)(torch.zeros(3, 5, 7)), ValueError, ["x", "2 features", "(3, 5, 7)"]),
        (lambda: LSTM(2, 4)(torch.zeros(3, 5, 2, dtype=torch.long)), TypeError, ["x", "floating-point", "torch.int64"]),
        (lambda: LSTM(2, 4)([[0.0, 1.0]]), TypeError, ["x", "torch.Tensor", "list"]),
        (lambda: LSTM(2, 4)(torch.zeros(3, 0, 2)), ValueError, ["x", "at least one time step"]),
        (lambda: LSTM(2, 4)(torch.zeros(3, 5, 2), (torch.zeros(3, 4), torch.zeros(2, 4))), ValueError,
         ["c", "(3, 4)", "(2, 4)"]),
        (lambda: LSTM(2, 4)(torch.zeros(3, 5, 2), (torch.zeros(3, 5), torch.zeros(3, 4))), ValueError,
         ["h", "(3, 4)", "(3, 5)"]),
        (lambda: LSTM(2, 4)(torch.zeros(3, 5, 2), torch.zeros(3, 4)), TypeError, ["state", "pair (h, c)"]),
        (lambda: LSTM(2, 4)(torch.zeros(3, 5, 2), (torch.zeros(3, 4).double(), torch.zeros(3, 4))), TypeError,
         ["h", "dtype", "torch.float32", "torch.float64"]),
        (lambda: RNN(2, 4)(torch.zeros(3, 5, 2), torch.zeros(1, 3, 4)), ValueError, ["h0", "(3, 4)", "(1, 3, 4)"]),
        (lambda: LSTM(2, 4, gates=("forget", "remember")), ValueError, ["gates", "remember"]),
        (lambda: LSTM(2, 4, gates="forget"), TypeError, ["gates", "tuple"]),
        (lambda: LSTM(2, 4, gates=("input", "input")), ValueError, ["gates", "repeat"]),
        (lambda: LSTM(2, 4, gates=("input", "output"), forget_bias=1.0), ValueError, ["forget_bias", "forget gate"]),
        (lambda: LSTM(0, 4), ValueError, ["input_size", "positive", "0"]),
        (lambda: RNN(2, 4.5), TypeError, ["hidden_size", "int", "4.5"]),
        (lambda: LSTMCell(2, 4)(torch.zeros(3, 5, 2)), ValueError, ["x", "(batch, input_size)", "(3, 5, 2)"]),
        (lambda: RNNCell(2, 4)(torch.zeros(3, 3)), ValueError, ["x", "(B, 2)", "(3, 3)"]),
        (lambda: tasks.DelayedRecall(lag=10, length=8), ValueError, ["lag", "shorter than the sequence", "10"]),
        (lambda: tasks.DelayedRecall(lag=0), ValueError, ["lag", "positive"]),
        (lambda: tasks.DelayedRecall(lag=3, n_symbols=1), ValueError, ["n_symbols", "at least 2"]),
        (lambda: tasks.AddingProblem(length=1), ValueError, ["length", "at least 2"]),
        (lambda: tasks.AddingProblem(10).sample(0), ValueError, ["batch_size", "positive"]),
        (lambda: tasks.MarkedRecall(n_symbols=1), ValueError, ["n_symbols", "at least 2", "1"]),
        (lambda: tasks.MarkedRecall(length=1), ValueError, ["length", "at least 2", "1"]),
        (lambda: tasks.MarkedRecall(length="30"), TypeError, ["length", "positive int", "'30'"]),
        (lambda: tasks.MarkedRecall().sample(0), ValueError, ["batch_size", "positive"]),
        (lambda: training.Predictor(torch.nn.GRU(2, 4), 3), TypeError, ["core", "GRU"]),
        (lambda: training.Predictor(torch.nn.LSTM(2, 4), 3), ValueError, ["batch_first=True", "batch_first=False"]),
        (lambda: LSTM.from_torch(torch.nn.LSTM(2, 4, num_layers=2)), ValueError, ["one-layer", "num_layers=2"]),
        (lambda: LSTM.from_torch(torch.nn.GRU(2, 4)), TypeError, ["torch.nn.LSTM", "GRU"]),
        (lambda: RNN.from_torch(torch.nn.RNN(2, 4, nonlinearity="relu")), ValueError, ["nonlinearity", "relu"]),
        (lambda: LSTMCell(2, 4).gate_rows("b", "forgot"), ValueError, ["gate", "forgot"]),
    ],
)
def test_bad_input_names_argument_expectation_and_value(call, error, words):
    with pytest.raises(error) as raised:
        call()
    for word in words:
        assert word in str(raised.value), f"{word!r} missing from: {raised.value}"


def test_training_rejects_unknown_optimizer_and_bad_clip():
    task = tasks.DelayedRecall(lag=2)
    model = training.Predictor(RNN(task.input_size, 4), task.output_size)
    with pytest.raises(ValueError, match="optimizer must be 'adam' or 'sgd', got 'rmsprop'"):
        training.train(model, task, steps=1, optimizer="rmsprop")
    with pytest.raises(ValueError, match="clip must be a positive number or None, got 0"):
        training.train(model, task, steps=1, clip=0)
