"""Bad input fails at the boundary with a message that names the argument, the expectation and the value.

One row per mistake, for every public entry point: the models and cells, their torch copies, the
predictor, the tasks, training, the RNNs trained side by side, the gradient tools and the plots.
"""

import pytest
import torch

from lstm_course import LSTM, RNN, LSTMCell, Predictor, RNNCell, gradients, plots, probes, tasks, training
from lstm_course.parallel_rnns import ParallelRNNs

RECALL = tasks.DelayedRecall(lag=3)
ADDING = tasks.AddingProblem(length=5)


def rnns(task, seeds, hidden_size=4):
    return [Predictor.rnn(task, seed, hidden_size=hidden_size) for seed in seeds]


def rnn_without_recurrence():
    rnn = RNN(2, 4)
    with torch.no_grad():
        rnn.cell.W_h.zero_()
    return rnn


BAD_INPUT = [
    # the sequence models and the cells
    ("x-without-a-time-axis", lambda: LSTM(2, 4)(torch.zeros(3, 2)),
     ValueError, ["x", "(batch, time, features)", "(3, 2)"]),
    ("lstm-x-with-the-wrong-features", lambda: LSTM(2, 4)(torch.zeros(3, 5, 7)),
     ValueError, ["x", "2 features", "(3, 5, 7)"]),
    ("rnn-x-with-the-wrong-features", lambda: RNN(2, 4)(torch.zeros(3, 5, 7)),
     ValueError, ["x", "2 features", "(3, 5, 7)"]),
    ("trace-x-with-the-wrong-features", lambda: LSTM(2, 4).trace(torch.zeros(3, 5, 7)),
     ValueError, ["x", "2 features", "(3, 5, 7)"]),
    ("x-of-integers", lambda: LSTM(2, 4)(torch.zeros(3, 5, 2, dtype=torch.long)),
     TypeError, ["x", "floating-point", "torch.int64"]),
    ("x-a-list", lambda: LSTM(2, 4)([[0.0, 1.0]]), TypeError, ["x", "torch.Tensor", "list"]),
    ("x-without-steps", lambda: LSTM(2, 4)(torch.zeros(3, 0, 2)), ValueError, ["x", "at least one time step"]),
    ("c-of-the-wrong-batch", lambda: LSTM(2, 4)(torch.zeros(3, 5, 2), (torch.zeros(3, 4), torch.zeros(2, 4))),
     ValueError, ["c", "(3, 4)", "(2, 4)"]),
    ("h-of-the-wrong-size", lambda: LSTM(2, 4)(torch.zeros(3, 5, 2), (torch.zeros(3, 5), torch.zeros(3, 4))),
     ValueError, ["h", "(3, 4)", "(3, 5)"]),
    ("trace-h-of-the-wrong-size",
     lambda: LSTM(2, 4).trace(torch.zeros(3, 5, 2), (torch.zeros(3, 5), torch.zeros(3, 4))),
     ValueError, ["h", "(3, 4)", "(3, 5)"]),
    ("state-not-a-pair", lambda: LSTM(2, 4)(torch.zeros(3, 5, 2), torch.zeros(3, 4)),
     TypeError, ["state", "pair (h, c)"]),
    ("h-of-another-dtype", lambda: LSTM(2, 4)(torch.zeros(3, 5, 2), (torch.zeros(3, 4).double(), torch.zeros(3, 4))),
     TypeError, ["h", "dtype", "torch.float32", "torch.float64"]),
    ("rnn-h0-with-a-layer-axis", lambda: RNN(2, 4)(torch.zeros(3, 5, 2), torch.zeros(1, 3, 4)),
     ValueError, ["h0", "(3, 4)", "(1, 3, 4)"]),
    ("unknown-gate", lambda: LSTM(2, 4, gates=("forget", "remember")), ValueError, ["gates", "remember"]),
    ("gates-a-string", lambda: LSTM(2, 4, gates="forget"), TypeError, ["gates", "tuple"]),
    ("repeated-gate", lambda: LSTM(2, 4, gates=("input", "input")), ValueError, ["gates", "repeat"]),
    ("forget-bias-without-forget-gate", lambda: LSTM(2, 4, gates=("input", "output"), forget_bias=1.0),
     ValueError, ["forget_bias", "forget gate"]),
    ("forget-bias-a-string", lambda: LSTM(2, 4, forget_bias="2"),
     TypeError, ["forget_bias must be a finite number, or None for the default", "str '2'"]),
    ("forget-bias-infinite", lambda: LSTMCell(2, 4, forget_bias=float("inf")),
     ValueError, ["forget_bias must be a finite number", "inf"]),
    ("input-size-zero", lambda: LSTM(0, 4), ValueError, ["input_size", "positive", "0"]),
    ("hidden-size-a-float", lambda: RNN(2, 4.5), TypeError, ["hidden_size", "int", "4.5"]),
    ("lstm-cell-given-a-sequence", lambda: LSTMCell(2, 4)(torch.zeros(3, 5, 2)),
     ValueError, ["x", "(batch, input_size)", "(3, 5, 2)"]),
    ("rnn-cell-x-with-the-wrong-features", lambda: RNNCell(2, 4)(torch.zeros(3, 3)),
     ValueError, ["x", "(B, 2)", "(3, 3)"]),
    ("distractors-not-a-bool", lambda: tasks.MarkedRecall(distractors="no"), TypeError,
     ["distractors", "True or False", "'no'"]),
    ("gate-rows-of-an-unknown-gate", lambda: LSTMCell(2, 4).gate_rows("b", "forgot"), ValueError, ["gate", "forgot"]),
    ("freeze-an-absent-gate", lambda: LSTMCell(2, 4, gates=("input",)).freeze_gate("forget", 1.0),
     ValueError, ["gate", "forget"]),
    # copies from torch.nn
    ("lstm-from-two-layers", lambda: LSTM.from_torch(torch.nn.LSTM(2, 4, num_layers=2)),
     ValueError, ["torch_lstm", "one-layer, one-direction torch.nn.LSTM with bias", "num_layers=2"]),
    ("lstm-from-two-directions", lambda: LSTM.from_torch(torch.nn.LSTM(2, 4, bidirectional=True)),
     ValueError, ["torch_lstm", "one-direction", "bidirectional=True"]),
    ("lstm-from-a-projection", lambda: LSTM.from_torch(torch.nn.LSTM(2, 4, proj_size=2)),
     ValueError, ["torch_lstm", "proj_size=0", "2"]),
    ("lstm-from-a-gru", lambda: LSTM.from_torch(torch.nn.GRU(2, 4)), TypeError, ["torch_lstm", "torch.nn.LSTM", "GRU"]),
    ("rnn-from-relu", lambda: RNN.from_torch(torch.nn.RNN(2, 4, nonlinearity="relu")),
     ValueError, ["torch_rnn", "nonlinearity", "relu"]),
    ("rnn-from-no-bias", lambda: RNN.from_torch(torch.nn.RNN(2, 4, bias=False)),
     ValueError, ["torch_rnn", "with bias", "bias=False"]),
    # the predictor
    ("predictor-of-a-linear-layer", lambda: Predictor(torch.nn.Linear(2, 4), 3), TypeError, ["core", "Linear"]),
    ("predictor-of-a-time-first-gru", lambda: Predictor(torch.nn.GRU(2, 4), 3),
     ValueError, ["core must have batch_first=True", "batch_first=False"]),
    ("predictor-of-a-time-first-lstm", lambda: Predictor(torch.nn.LSTM(2, 4), 3),
     ValueError, ["core must have batch_first=True", "batch_first=False"]),
    ("predictor-of-two-layers", lambda: Predictor(torch.nn.LSTM(2, 4, num_layers=2, batch_first=True), 3),
     ValueError, ["core must have", "num_layers=1", "num_layers=2"]),
    ("predictor-of-a-bidirectional-gru", lambda: Predictor(torch.nn.GRU(2, 4, batch_first=True, bidirectional=True), 3),
     ValueError, ["core must have", "bidirectional=False", "bidirectional=True"]),
    ("predictor-without-outputs", lambda: Predictor(RNN(2, 4), 0), ValueError, ["output_size", "positive", "0"]),
    ("to-torch-of-a-torch-copy", lambda: Predictor(RNN(2, 4), 1).to_torch().to_torch(),
     TypeError, ["to_torch", "lstm_course core", "RNN"]),
    ("to-scratch-of-a-scratch-model", lambda: Predictor(RNN(2, 4), 1).to_scratch(),
     TypeError, ["to_scratch", "torch.nn core", "RNN"]),
    ("lstm-builder-forget-bias-without-forget-gate",
     lambda: Predictor.lstm(RECALL, 0, gates=("input",), forget_bias=2.0), ValueError, ["forget_bias", "forget gate"]),
    # the tasks
    ("delayed-recall-lag-longer-than-the-sequence", lambda: tasks.DelayedRecall(lag=10, length=8),
     ValueError, ["lag", "shorter than the sequence", "10"]),
    ("delayed-recall-lag-zero", lambda: tasks.DelayedRecall(lag=0), ValueError, ["lag", "positive"]),
    ("delayed-recall-one-symbol", lambda: tasks.DelayedRecall(lag=3, n_symbols=1),
     ValueError, ["n_symbols", "at least 2"]),
    ("adding-problem-one-step", lambda: tasks.AddingProblem(length=1), ValueError, ["length", "at least 2"]),
    ("adding-problem-empty-batch", lambda: tasks.AddingProblem(10).sample(0), ValueError, ["batch_size", "positive"]),
    ("marked-recall-one-symbol", lambda: tasks.MarkedRecall(n_symbols=1), ValueError, ["n_symbols", "at least 2", "1"]),
    ("marked-recall-one-step", lambda: tasks.MarkedRecall(length=1), ValueError, ["length", "at least 2", "1"]),
    ("marked-recall-length-a-string", lambda: tasks.MarkedRecall(length="30"),
     TypeError, ["length", "positive int", "'30'"]),
    ("marked-recall-empty-batch", lambda: tasks.MarkedRecall().sample(0), ValueError, ["batch_size", "positive"]),
    ("continual-recall-one-symbol", lambda: tasks.ContinualRecall(n_symbols=1),
     ValueError, ["n_symbols must be at least 2", "1"]),
    ("continual-recall-symbols-a-float", lambda: tasks.ContinualRecall(n_symbols=2.5),
     TypeError, ["n_symbols must be a positive int", "2.5"]),
    ("continual-recall-no-steps", lambda: tasks.ContinualRecall(length=0),
     ValueError, ["length must be a positive int", "0"]),
    ("continual-recall-never-arriving", lambda: tasks.ContinualRecall(arrival_probability=0.0),
     ValueError, ["arrival_probability must be in (0, 1], got 0.0"]),
    ("continual-recall-probability-above-one", lambda: tasks.ContinualRecall(arrival_probability=1.5),
     ValueError, ["arrival_probability must be in (0, 1], got 1.5"]),
    ("continual-recall-probability-a-string", lambda: tasks.ContinualRecall(arrival_probability="0.1"),
     TypeError, ["arrival_probability must be a number", "'0.1'"]),
    ("continual-recall-empty-batch", lambda: tasks.ContinualRecall().sample(0),
     ValueError, ["batch_size must be a positive int", "0"]),
    ("cued-recall-one-symbol", lambda: tasks.CuedRecall(n_symbols=1),
     ValueError, ["n_symbols must be at least 2", "1"]),
    ("cued-recall-symbols-a-float", lambda: tasks.CuedRecall(n_symbols=2.5),
     TypeError, ["n_symbols must be a positive int", "2.5"]),
    ("cued-recall-no-steps", lambda: tasks.CuedRecall(length=0), ValueError, ["length must be a positive int", "0"]),
    ("cued-recall-too-short-for-a-distractor", lambda: tasks.CuedRecall(length=2),
     ValueError, ["length must be at least 3", "2"]),
    ("cued-recall-length-a-string", lambda: tasks.CuedRecall(length="30"),
     TypeError, ["length must be a positive int", "'30'"]),
    ("cued-recall-empty-batch", lambda: tasks.CuedRecall().sample(0),
     ValueError, ["batch_size must be a positive int", "0"]),
    ("reber-shorter-than-any-string", lambda: tasks.EmbeddedReber(max_length=8),
     ValueError, ["length must be at least 9", "the shortest embedded string", "8"]),
    ("reber-length-a-float", lambda: tasks.EmbeddedReber(max_length=20.0),
     TypeError, ["length must be a positive int", "20.0"]),
    ("reber-empty-batch", lambda: tasks.EmbeddedReber().sample(0), ValueError, ["batch_size must be a positive int", "0"]),
    # probes
    ("variance-share-of-ints",
     lambda: probes.variance_share(torch.ones(4, 2, dtype=torch.long), torch.zeros(4, dtype=torch.long), 2),
     TypeError, ["values must be a floating-point tensor"]),
    ("variance-share-labels-too-few",
     lambda: probes.variance_share(torch.ones(4, 2), torch.zeros(3, dtype=torch.long), 2),
     ValueError, ["values must be (N, H) and labels (N,)", "(4, 2)", "(3,)"]),
    # training
    ("train-a-bare-core", lambda: training.train(RNN(4, 4), RECALL, steps=1), TypeError, ["model", "Predictor", "RNN"]),
    ("train-no-steps", lambda: training.train(rnns(RECALL, [0])[0], RECALL, steps=0),
     ValueError, ["steps", "positive int", "0"]),
    ("train-unknown-optimizer", lambda: training.train(rnns(RECALL, [0])[0], RECALL, steps=1, optimizer="rmsprop"),
     ValueError, ["optimizer must be 'adam' or 'sgd', got 'rmsprop'"]),
    ("train-clip-zero", lambda: training.train(rnns(RECALL, [0])[0], RECALL, steps=1, clip=0),
     ValueError, ["clip must be a positive number or None, got 0"]),
    ("train-clip-true", lambda: training.train(rnns(RECALL, [0])[0], RECALL, steps=1, clip=True),
     ValueError, ["clip must be a positive number or None, got True"]),
    ("train-an-unknown-setting", lambda: training.train(rnns(RECALL, [0])[0], RECALL, steps=1, momentum=0.5),
     TypeError, ["unknown training setting", "momentum", "'lr', 'optimizer', 'clip', 'batch_size'"]),
    ("train-a-model-for-another-task", lambda: training.train(rnns(ADDING, [0])[0], RECALL, steps=1),
     ValueError, ["model must match the task's (input_size, output_size) = (4, 4)", "(2, 1)"]),
    ("evaluate-a-model-for-another-task", lambda: training.evaluate(rnns(ADDING, [0])[0], RECALL),
     ValueError, ["model must match the task's (input_size, output_size) = (4, 4)", "(2, 1)"]),
    ("evaluate-a-bare-core", lambda: training.evaluate(RNN(4, 4), RECALL), TypeError, ["model", "Predictor", "RNN"]),
    ("settings-negative-lr", lambda: training.TrainingSettings(steps=1, lr=-0.1),
     ValueError, ["lr", "positive", "-0.1"]),
    ("settings-empty-batches", lambda: training.TrainingSettings(steps=1, batch_size=0),
     ValueError, ["batch_size", "positive int", "0"]),
    ("optimizer-unknown", lambda: training.make_optimizer(RNN(2, 4), "rmsprop", lr=0.1),
     ValueError, ["optimizer must be 'adam' or 'sgd', got 'rmsprop'"]),
    ("train-together-a-seed-short", lambda: training.train_together(rnns(RECALL, [0, 1]), RECALL, steps=1, seeds=[0]),
     ValueError, ["seeds must hold one seed per model (2), got 1"]),
    ("train-together-an-lstm", lambda: training.train_together([Predictor.lstm(RECALL, 0)], RECALL, steps=1, seeds=[0]),
     TypeError, ["models", "RNN core", "LSTM"]),
    ("train-together-clip-zero",
     lambda: training.train_together(rnns(RECALL, [0, 1]), RECALL, steps=1, seeds=[0, 1], clip=0.0),
     ValueError, ["clip must be a positive number or None, got 0.0"]),
    ("train-together-no-models", lambda: training.train_together([], RECALL, steps=1, seeds=[]),
     TypeError, ["models", "non-empty"]),
    ("train-together-models-for-another-task",
     lambda: training.train_together(rnns(ADDING, [0, 1]), RECALL, steps=1, seeds=[0, 1]),
     ValueError, ["models", "match the task", "(4, 4)", "(2, 1)"]),
    # the RNNs side by side
    ("parallel-rnns-of-two-sizes", lambda: ParallelRNNs([*rnns(RECALL, [0]), *rnns(RECALL, [1], hidden_size=5)]),
     ValueError, ["models", "same (input_size, hidden_size, output_size)", "(4, 4, 4)", "(4, 5, 4)"]),
    ("parallel-rnns-a-batch-per-member-missing", lambda: ParallelRNNs(rnns(ADDING, [0, 1]))(torch.zeros(3, 4, 5, 2)),
     ValueError, ["x", "(members, batch, time, features) = (2, B, T, 2)", "(3, 4, 5, 2)"]),
    ("parallel-rnns-copied-to-too-few-models", lambda: ParallelRNNs(rnns(RECALL, [0, 1])).copy_to(rnns(RECALL, [0])),
     ValueError, ["models", "one model per member (2)", "1"]),
    # the gradient tools
    ("gradients-of-a-bare-core", lambda: gradients.gradient_norms_through_time(RNN(4, 4), RECALL, *RECALL.sample(2)),
     TypeError, ["model must be a Predictor", "RNN"]),
    ("gradients-of-inputs-with-other-features",
     lambda: gradients.gradient_norms_through_time(rnns(RECALL, [0])[0], RECALL, torch.zeros(2, 4, 3), None),
     ValueError, ["x must have 4 features", "(2, 4, 3)"]),
    ("set-spectral-radius-of-an-lstm", lambda: gradients.set_spectral_radius(LSTM(2, 4), 1.0),
     TypeError, ["rnn must be an lstm_course RNN", "LSTM"]),
    ("set-spectral-radius-negative", lambda: gradients.set_spectral_radius(RNN(2, 4), -1),
     ValueError, ["radius must be a positive number, got -1"]),
    ("set-spectral-radius-of-a-zero-matrix", lambda: gradients.set_spectral_radius(rnn_without_recurrence(), 1.0),
     ValueError, ["W_h", "spectral radius 0"]),
    ("bound-of-a-non-square-matrix", lambda: gradients.gradient_norm_bound(torch.zeros(2, 3), 1),
     ValueError, ["W_h must be a square matrix", "(2, 3)"]),
    ("bound-at-a-negative-distance", lambda: gradients.gradient_norm_bound(torch.eye(2), -1),
     ValueError, ["distance must be a non-negative int (a number of steps), got -1"]),
    ("bound-at-a-fractional-distance", lambda: gradients.gradient_norm_bound(torch.eye(2), 1.5),
     ValueError, ["distance must be a non-negative int (a number of steps), got 1.5"]),
    ("bound-with-a-zero-derivative", lambda: gradients.gradient_norm_bound(torch.eye(2), 1, derivative_bound=0.0),
     ValueError, ["derivative_bound must be a positive number, got 0.0"]),
    ("decay-of-zero-norms", lambda: gradients.decay_per_step(torch.zeros(20)),
     ValueError, ["at least two positive norms", "0 of them positive"]),
    ("decay-of-a-matrix", lambda: gradients.decay_per_step(torch.ones(3, 3)), ValueError, ["norms", "1-D tensor"]),
    # the plots
    ("training-curves-of-an-unknown-metric", lambda: plots.plot_training_curves({}, metric="grad_norm"),
     ValueError, ["metric must be 'accuracy' or 'loss', got 'grad_norm'"]),
]


@pytest.mark.parametrize(
    ("call", "error", "words"), [pytest.param(*case, id=name) for name, *case in BAD_INPUT]
)
def test_bad_input_names_argument_expectation_and_value(call, error, words):
    with pytest.raises(error) as raised:
        call()
    for word in words:
        assert word in str(raised.value), f"{word!r} missing from: {raised.value}"
