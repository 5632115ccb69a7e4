"""The appendix's conclusions, rerun with seeds it does not use: other weights, inputs and loss gradients."""

import itertools

import numpy as np
import torch

from lstm_course import GATE_NAMES, LSTM, RNN, reference

B, T, I, H = 3, 6, 2, 4


def draws(seed):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(B, T, I)), rng.normal(size=(B, H)), rng.normal(size=(B, T, H)), rng


def test_the_rnn_gradients_equal_autograd_and_finite_differences(seed, record_property):
    x, h0, r, _ = draws(seed)
    torch.manual_seed(seed)
    rnn = RNN(I, H).double()
    h0_tensor = torch.tensor(h0, requires_grad=True)
    (torch.tensor(r) * rnn(torch.tensor(x), h0_tensor)[0]).sum().backward()
    by_autograd = {**reference.gradients_of(rnn), "h0": h0_tensor.grad.numpy()}
    params = reference.parameters_of(rnn)
    by_hand = reference.rnn_backward(params, reference.rnn_forward(params, x, h0), r)

    def loss(values):
        return (r * reference.rnn_forward(values, x, values["h0"]).h[:, 1:]).sum()

    values = {**params, "h0": h0}
    vs_autograd = max(reference.relative_error(by_hand[k], by_autograd[k]) for k in by_hand)
    vs_differences = max(reference.relative_error(by_hand[k], reference.finite_difference_gradient(loss, values, k))
                         for k in by_hand)
    record_property("worst vs autograd", vs_autograd)
    record_property("worst vs finite differences", vs_differences)
    assert vs_autograd < 1e-12 and vs_differences < 1e-7

    steps = 10.0 ** -np.arange(1, 13)
    errors = np.array([reference.relative_error(
        reference.finite_difference_gradient(loss, values, "W_h", step=step), by_hand["W_h"]) for step in steps])
    record_property("step errors", errors.tolist())
    falls, rises = errors[:3] / errors[1:4], errors[-4:] / errors[-5:-1]
    best = int(np.argmin(errors))
    error_at = dict(zip(steps, errors))
    assert np.all((falls > 50) & (falls < 200)) and np.all((rises > 3) & (rises < 30))
    assert 1e-6 <= steps[best] <= 1e-4 and 1e-12 < errors[best] < 1e-9
    assert error_at[1e-5] < 1e-9 and error_at[1e-3] > 1e-7 and error_at[1e-10] > 1e-7


def test_every_gate_subset_of_the_lstm_has_the_right_gradients(seed, record_property):
    x, h0, r, rng = draws(seed)
    q, c0 = rng.normal(size=(B, H)), rng.normal(size=(B, H))
    torch.manual_seed(seed)
    worst = []
    for gates in (subset for n in range(4) for subset in itertools.combinations(GATE_NAMES, n)):
        lstm = LSTM(I, H, gates=gates).double()
        state = (torch.tensor(h0, requires_grad=True), torch.tensor(c0, requires_grad=True))
        trace = lstm.trace(torch.tensor(x), state)
        ((torch.tensor(r) * trace.hidden).sum() + (torch.tensor(q) * trace.cell[:, -1]).sum()).backward()
        by_autograd = {**reference.gradients_of(lstm), "h0": state[0].grad.numpy(), "c0": state[1].grad.numpy()}
        params = reference.parameters_of(lstm)
        by_hand = reference.lstm_backward(params, reference.lstm_forward(params, x, (h0, c0)), r, q)

        def loss(values):
            forward = reference.lstm_forward(values, x, (values["h0"], values["c0"]))
            return (r * forward.h[:, 1:]).sum() + (q * forward.c[:, -1]).sum()

        values = {**params, "h0": h0, "c0": c0}
        worst.append((max(reference.relative_error(by_hand[k], by_autograd[k]) for k in by_hand),
                      max(reference.relative_error(by_hand[k], reference.finite_difference_gradient(loss, values, k))
                          for k in by_hand)))
    record_property("worst per subset", worst)
    assert all(vs_autograd < 1e-12 and vs_differences < 1e-7 for vs_autograd, vs_differences in worst)
