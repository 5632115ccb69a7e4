"""Each fast path, with its backward pass written by hand, equals the readable path it replaces.

``LSTM.forward`` (the fused kernel) against ``LSTM.trace`` (the cell's equations through autograd),
values and gradients, for every subset of gates; and ``ParallelRNNs`` against each ``Predictor``
run alone through autograd.
"""

import itertools

import pytest
import torch

from lstm_course import GATE_NAMES, LSTM, Predictor, tasks
from lstm_course.parallel_rnns import ParallelRNNs

ALL_GATE_SUBSETS = [subset for r in range(4) for subset in itertools.combinations(GATE_NAMES, r)]
SEEDS = [0, 1, 2]


def gate_subset_id(gates):
    return "+".join(gates) or "no-gates"


def batch(batch_size=3, steps=9, features=4, seed=0):
    generator = torch.Generator().manual_seed(seed)
    return torch.randn(batch_size, steps, features, generator=generator, dtype=torch.float64)


@pytest.mark.parametrize("with_state", [False, True])
@pytest.mark.parametrize("gates", ALL_GATE_SUBSETS, ids=gate_subset_id)
def test_lstm_forward_equals_its_trace_in_values_and_gradients(gates, with_state):
    torch.manual_seed(13)
    lstm = LSTM(4, 6, gates=gates).double()
    x = batch().requires_grad_()
    state = tuple(torch.randn(3, 6, dtype=torch.float64, requires_grad=True) for _ in range(2)) if with_state else None
    inputs = (x, *state) if with_state else (x,)

    out, (h, c) = lstm(x, state)
    trace = lstm.trace(x, state)
    fast, readable = (out, h, c), (trace.hidden, trace.hidden[:, -1], trace.cell[:, -1])
    for fast_value, readable_value in zip(fast, readable):
        torch.testing.assert_close(fast_value, readable_value, atol=1e-12, rtol=1e-10)

    def loss(out, h, c):  # reads every hidden state and the last cell state
        return out.sin().sum() + (h * c).sum()

    leaves = (*inputs, *lstm.parameters())
    fast_gradients = torch.autograd.grad(loss(*fast), leaves)
    readable_gradients = torch.autograd.grad(loss(*readable), leaves)
    for fast_gradient, readable_gradient in zip(fast_gradients, readable_gradients):
        torch.testing.assert_close(fast_gradient, readable_gradient, atol=1e-12, rtol=1e-10)


@pytest.mark.parametrize("gates", ALL_GATE_SUBSETS, ids=gate_subset_id)
def test_lstm_forward_gradients_agree_with_finite_differences(gates):
    torch.manual_seed(5)
    lstm = LSTM(2, 3, gates=gates).double()
    x = batch(batch_size=2, steps=4, features=2).requires_grad_()
    h0 = torch.randn(2, 3, dtype=torch.float64, requires_grad=True)
    c0 = torch.randn(2, 3, dtype=torch.float64, requires_grad=True)
    names = [name for name, _ in lstm.named_parameters()]

    def run(x, h0, c0, *weights):
        out, (h, c) = torch.func.functional_call(lstm, dict(zip(names, weights)), (x, (h0, c0)))
        return out, c

    assert torch.autograd.gradcheck(run, (x, h0, c0, *lstm.parameters()))


def member_batches(task, batch_size=4):
    """One batch of ``task`` per seed: the inputs stacked ``(N, B, T, I)`` in float64, and the targets."""
    samples = [task.sample(batch_size, generator=torch.Generator().manual_seed(seed)) for seed in SEEDS]
    return torch.stack([x for x, _ in samples]).double(), [y for _, y in samples]


def test_parallel_rnns_predict_what_each_predictor_predicts_alone():
    task = tasks.AddingProblem(length=7)
    models = [Predictor.rnn(task, seed, hidden_size=8).double() for seed in SEEDS]
    x, _ = member_batches(task)
    predictions = ParallelRNNs(models)(x)
    assert predictions.shape == (3, 4, 7, 1)
    for k, model in enumerate(models):
        torch.testing.assert_close(predictions[k], model(x[k]), atol=1e-12, rtol=1e-10)


@pytest.mark.parametrize(
    "task",
    [tasks.DelayedRecall(lag=5), tasks.ContinualRecall(length=8), tasks.CuedRecall(length=8)],
    ids=["scored-at-the-last-step", "scored-at-every-step", "scored-at-one-step-per-sequence"],
)
def test_parallel_rnns_gradients_equal_each_predictors_gradients_through_autograd(task):
    models = [Predictor.rnn(task, seed, hidden_size=6).double() for seed in SEEDS]
    x, targets = member_batches(task)
    stacked = ParallelRNNs(models)
    predictions = stacked(x)
    sum(task.loss(predictions[k], targets[k]) for k in range(len(models))).backward()
    for k, model in enumerate(models):
        task.loss(model(x[k]), targets[k]).backward()
        alone = {
            "W_x": model.core.cell.W_x, "W_h": model.core.cell.W_h, "b": model.core.cell.b,
            "W_y": model.readout.weight, "b_y": model.readout.bias,
        }
        for name, parameter in alone.items():
            stacked_gradient = getattr(stacked, name).grad[k]
            torch.testing.assert_close(
                stacked_gradient, parameter.grad, atol=1e-12, rtol=1e-10, msg=lambda message: f"{name}: {message}"
            )
