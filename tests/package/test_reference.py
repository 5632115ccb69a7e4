"""The NumPy reference: its forward equals the course's models, its backward equals autograd and finite differences."""

import itertools

import numpy as np
import pytest
import torch

from lstm_course import GATE_NAMES, LSTM, RNN, reference

GATE_SUBSETS = [gates for n in range(4) for gates in itertools.combinations(GATE_NAMES, n)]
B, T, I, H = 3, 5, 2, 4


def draw(*shape, seed):
    return torch.randn(*shape, dtype=torch.float64, generator=torch.Generator().manual_seed(seed))


def lstm_case(gates):
    torch.manual_seed(0)
    model = LSTM(I, H, gates=gates).double()
    x, h0, c0 = draw(B, T, I, seed=1), draw(B, H, seed=2), draw(B, H, seed=3)
    grad_hidden, grad_cell = draw(B, T, H, seed=4), draw(B, H, seed=5)  # L = sum(R * h) + sum(S * c_T)
    return model, x, h0, c0, grad_hidden, grad_cell


def autograd_lstm(model, x, h0, c0, grad_hidden, grad_cell, path="trace"):
    """The gradients through autograd (``trace``, step by step) or through the fused kernel (``forward``)."""
    model.zero_grad(set_to_none=True)
    h0, c0 = h0.clone().requires_grad_(), c0.clone().requires_grad_()
    if path == "trace":
        trace = model.trace(x, (h0, c0))
        out, c = trace.hidden, trace.cell[:, -1]
    else:
        out, (_, c) = model(x, (h0, c0))
    ((grad_hidden * out).sum() + (grad_cell * c).sum()).backward()
    return out, {**reference.gradients_of(model), "h0": h0.grad.numpy(), "c0": c0.grad.numpy()}


@pytest.mark.parametrize("gates", GATE_SUBSETS)
def test_lstm_forward_equals_the_course_lstm(gates):
    model, x, h0, c0, *_ = lstm_case(gates)
    forward = reference.lstm_forward(reference.parameters_of(model), x.numpy(), (h0.numpy(), c0.numpy()))
    trace = model.trace(x, (h0, c0))
    np.testing.assert_allclose(forward.h[:, 1:], trace.hidden.detach().numpy(), rtol=0, atol=1e-12)
    np.testing.assert_allclose(forward.c[:, 1:], trace.cell.detach().numpy(), rtol=0, atol=1e-12)
    letters = {"input": "i", "forget": "f", "output": "o", "candidate": "g"}
    for name, letter in letters.items():
        expected = trace.gates[name].detach().numpy()
        np.testing.assert_allclose(forward.layers.get(letter, np.ones_like(expected)), expected, rtol=0, atol=1e-12)


@pytest.mark.parametrize("path", ["trace", "forward"])
@pytest.mark.parametrize("gates", GATE_SUBSETS)
def test_lstm_backward_equals_autograd_and_the_fused_kernel(gates, path):
    model, x, h0, c0, grad_hidden, grad_cell = lstm_case(gates)
    _, expected = autograd_lstm(model, x, h0, c0, grad_hidden, grad_cell, path)
    params = reference.parameters_of(model)
    forward = reference.lstm_forward(params, x.numpy(), (h0.numpy(), c0.numpy()))
    grads = reference.lstm_backward(params, forward, grad_hidden.numpy(), grad_cell.numpy())
    assert grads.keys() == expected.keys()
    for name in expected:
        assert reference.relative_error(grads[name], expected[name]) < 1e-12, name


@pytest.mark.parametrize("gates", GATE_SUBSETS)
def test_lstm_backward_equals_finite_differences(gates):
    model, x, h0, c0, grad_hidden, grad_cell = lstm_case(gates)
    x, state, R, S = x.numpy(), (h0.numpy(), c0.numpy()), grad_hidden.numpy(), grad_cell.numpy()

    def loss(params):
        forward = reference.lstm_forward(params, x, state)
        return float((R * forward.h[:, 1:]).sum() + (S * forward.c[:, -1]).sum())

    params = reference.parameters_of(model)
    grads = reference.lstm_backward(params, reference.lstm_forward(params, x, state), R, S)
    for name in params:
        numerical = reference.finite_difference_gradient(loss, params, name)
        assert reference.relative_error(grads[name], numerical) < 1e-7, name


def test_lstm_backward_without_a_cell_gradient_is_the_hidden_states_alone():
    model, x, h0, c0, grad_hidden, _ = lstm_case(GATE_NAMES)
    _, expected = autograd_lstm(model, x, h0, c0, grad_hidden, torch.zeros(B, H, dtype=torch.float64))
    params = reference.parameters_of(model)
    grads = reference.lstm_backward(params, reference.lstm_forward(params, x.numpy()), grad_hidden.numpy())
    _, from_zero = autograd_lstm(model, x, 0 * h0, 0 * c0, grad_hidden, torch.zeros(B, H, dtype=torch.float64))
    for name in params:
        assert reference.relative_error(grads[name], from_zero[name]) < 1e-12, name
    assert reference.relative_error(grads["W_hf"], expected["W_hf"]) > 1e-3  # the initial state matters


def test_rnn_forward_and_backward_equal_the_course_rnn_and_autograd():
    torch.manual_seed(0)
    model = RNN(I, H).double()
    x, h0, grad_hidden = draw(B, T, I, seed=1), draw(B, H, seed=2).requires_grad_(), draw(B, T, H, seed=4)
    out, _ = model(x, h0)
    (grad_hidden * out).sum().backward()
    params = reference.parameters_of(model)
    forward = reference.rnn_forward(params, x.numpy(), h0.detach().numpy())
    np.testing.assert_allclose(forward.h[:, 1:], out.detach().numpy(), rtol=0, atol=1e-12)
    grads = reference.rnn_backward(params, forward, grad_hidden.numpy())
    expected = {**reference.gradients_of(model), "h0": h0.grad.numpy()}
    assert grads.keys() == expected.keys()
    for name in expected:
        assert reference.relative_error(grads[name], expected[name]) < 1e-12, name

    def loss(params):
        return float((grad_hidden.numpy() * reference.rnn_forward(params, x.numpy(), h0.detach().numpy()).h[:, 1:]).sum())

    for name in params:
        numerical = reference.finite_difference_gradient(loss, params, name)
        assert reference.relative_error(grads[name], numerical) < 1e-7, name


def test_parameters_follow_the_gates_and_have_the_documented_shapes():
    params = reference.parameters_of(LSTM(I, H, gates=("forget",)))
    assert set(params) == {"W_xf", "W_hf", "b_f", "W_xg", "W_hg", "b_g"}
    assert params["W_xf"].shape == (H, I) and params["W_hg"].shape == (H, H) and params["b_f"].shape == (H,)
    assert all(value.dtype == np.float64 for value in params.values())
    assert reference.gates_of(params) == ("f",)
    assert set(reference.parameters_of(RNN(I, H))) == {"W_x", "W_h", "b"}


def test_parameters_of_names_what_it_was_given():
    with pytest.raises(TypeError, match="model must be an lstm_course RNN or LSTM, got LSTMCell"):
        reference.parameters_of(torch.nn.LSTMCell(I, H))


def test_sigmoid_is_exact_and_does_not_overflow():
    z = np.array([-1000.0, -3.0, 0.0, 2.0, 1000.0])
    with np.errstate(over="raise"):
        values = reference.sigmoid(z)
    np.testing.assert_allclose(values, torch.sigmoid(torch.from_numpy(z)).numpy(), rtol=1e-15, atol=1e-300)


def test_relative_error_is_zero_for_equal_or_zero_arrays_and_symmetric():
    a, b = np.array([1.0, 2.0]), np.array([1.0, 2.5])
    assert reference.relative_error(a, a) == 0.0 == reference.relative_error(0 * a, 0 * a)
    assert reference.relative_error(a, b) == reference.relative_error(b, a) == pytest.approx(0.5 / np.linalg.norm(b))
