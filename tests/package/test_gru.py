"""The GRU computes PyTorch's GRU, number for number, copied either way, and fails clearly on bad input.

``torch.nn.GRU`` is the oracle: outputs, last states and gradients (of the weights, the input and
the initial state) agree in float32 and float64, with and without an initial state.
"""

import doctest

import pytest
import torch

import lstm_course.gru
from lstm_course.gru import GRU, GRU_GATE_ORDER, GRUCell

from helpers import TOLERANCE, batch


def torch_gru(dtype, seed):
    """A batch-first ``torch.nn.GRU`` with biases far from zero, so that a misplaced bias shows."""
    torch.manual_seed(seed)
    gru = torch.nn.GRU(4, 6, batch_first=True).to(dtype)
    with torch.no_grad():
        gru.bias_ih_l0.uniform_(-1, 1)
        gru.bias_hh_l0.uniform_(-1, 1)
    return gru


def pair(direction, dtype, seed):
    """``(ours, reference)``: copied from ``torch.nn.GRU``, or a ``torch.nn.GRU`` copied from ours."""
    if direction == "from_torch":
        reference = torch_gru(dtype, seed)
        return GRU.from_torch(reference), reference
    torch.manual_seed(seed)
    ours = GRU(4, 6).to(dtype)
    return ours, ours.to_torch()


def gradients_of(ours, reference):
    """Our parameters' gradients, and the same numbers gathered from the ``torch.nn.GRU``'s gradients."""
    H = ours.hidden_size
    gates, candidate = slice(0, 2 * H), slice(2 * H, 3 * H)
    bias_ih, bias_hh = reference.bias_ih_l0.grad, reference.bias_hh_l0.grad
    cell = ours.cell
    return (
        [cell.W_x.grad, cell.W_h.grad, cell.b.grad, cell.b_xn.grad],
        [reference.weight_ih_l0.grad, reference.weight_hh_l0.grad,
         torch.cat([bias_ih[gates], bias_hh[candidate]]), bias_ih[candidate]],
    )


@pytest.mark.parametrize("direction", ["from_torch", "to_torch"])
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("with_state", [False, True])
def test_the_gru_computes_what_torch_computes_copied_either_way(direction, dtype, with_state):
    ours, reference = pair(direction, dtype, seed=1)
    x = batch(dtype)
    h0 = torch.randn(3, 6, dtype=dtype) if with_state else None
    out, h = ours(x, h0)
    expected_out, expected_h = reference(x, h0.unsqueeze(0) if with_state else None)
    tol = TOLERANCE[dtype]
    torch.testing.assert_close(out, expected_out, atol=tol, rtol=tol)
    torch.testing.assert_close(h, expected_h[0], atol=tol, rtol=tol)


@pytest.mark.parametrize("direction", ["from_torch", "to_torch"])
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("with_state", [False, True])
def test_the_gradients_match_torch_copied_either_way(direction, dtype, with_state):
    ours, reference = pair(direction, dtype, seed=2)
    x, x_torch = batch(dtype).requires_grad_(), batch(dtype).requires_grad_()
    h0 = torch.randn(3, 6, dtype=dtype) if with_state else torch.zeros(3, 6, dtype=dtype)
    h0, h0_torch = h0.clone().requires_grad_(), h0.unsqueeze(0).clone().requires_grad_()
    out, h = ours(x, h0 if with_state else None)
    (out.sin().sum() + h.cos().sum()).backward()
    expected_out, expected_h = reference(x_torch, h0_torch if with_state else None)
    (expected_out.sin().sum() + expected_h[0].cos().sum()).backward()
    tol = TOLERANCE[dtype]
    gates = slice(0, 2 * ours.hidden_size)  # the r and z rows, whose two biases torch adds together ...
    bias_ih, bias_hh = reference.bias_ih_l0.grad[gates], reference.bias_hh_l0.grad[gates]
    torch.testing.assert_close(bias_ih, bias_hh, atol=tol, rtol=tol)  # ... so both get the same gradient
    for ours_gradient, torch_gradient in zip(*gradients_of(ours, reference)):
        torch.testing.assert_close(ours_gradient, torch_gradient, atol=tol, rtol=tol)
    torch.testing.assert_close(x.grad, x_torch.grad, atol=tol, rtol=tol)
    if with_state:
        torch.testing.assert_close(h0.grad, h0_torch.grad[0], atol=tol, rtol=tol)


def test_a_gru_copied_to_torch_and_back_keeps_every_weight_exactly():
    torch.manual_seed(3)
    ours = GRU(2, 5)
    copy = ours.to_torch()
    assert copy.batch_first
    assert torch.equal(copy.bias_hh_l0[:10], torch.zeros(10))  # the gates' recurrent biases
    assert torch.equal(copy.bias_hh_l0[10:], ours.cell.b[10:])  # b_hn stays apart
    back = dict(GRU.from_torch(copy).named_parameters())
    for name, parameter in ours.named_parameters():
        torch.testing.assert_close(parameter, back[name], atol=0, rtol=0)


def test_the_trace_holds_every_gate_of_pytorchs_equations_and_is_forward():
    torch.manual_seed(4)
    gru = GRU(4, 6).double()
    x, h0 = batch(torch.float64), torch.randn(3, 6, dtype=torch.float64)
    trace = gru.trace(x, h0)
    assert set(trace.gates) == set(GRU_GATE_ORDER)
    h_prev = torch.cat([h0.unsqueeze(1), trace.hidden[:, :-1]], dim=1)
    (W_xr, W_xz, W_xn), (W_hr, W_hz, W_hn) = gru.cell.W_x.chunk(3), gru.cell.W_h.chunk(3)
    b_r, b_z, b_hn = gru.cell.b.chunk(3)
    r = torch.sigmoid(x @ W_xr.T + h_prev @ W_hr.T + b_r)
    z = torch.sigmoid(x @ W_xz.T + h_prev @ W_hz.T + b_z)
    n = torch.tanh(x @ W_xn.T + gru.cell.b_xn + r * (h_prev @ W_hn.T + b_hn))
    torch.testing.assert_close(trace.gates["reset"], r)
    torch.testing.assert_close(trace.gates["update"], z)
    torch.testing.assert_close(trace.gates["candidate"], n)
    torch.testing.assert_close(trace.hidden, (1 - z) * n + z * h_prev)
    out, h = gru(x, h0)
    torch.testing.assert_close(trace.hidden, out, atol=0, rtol=0)
    torch.testing.assert_close(trace.hidden[:, -1], h, atol=0, rtol=0)
    reset_before = torch.tanh(x @ W_xn.T + gru.cell.b_xn + (r * h_prev) @ W_hn.T + b_hn)  # Cho et al.'s form
    assert not torch.allclose(reset_before, n, atol=1e-3)


def test_an_omitted_state_is_zeros_and_a_passed_state_changes_the_output():
    gru, x = GRU(4, 6), batch()
    torch.testing.assert_close(gru(x)[0], gru(x, torch.zeros(3, 6))[0], atol=0, rtol=0)
    assert not torch.allclose(gru(x)[0], gru(x, h0=torch.ones(3, 6))[0])  # h0, as RNN.forward calls it
    assert not torch.allclose(gru.trace(x).hidden, gru.trace(x, h0=torch.ones(3, 6)).hidden)


def test_stepping_the_cell_gives_the_sequence_models_last_state():
    gru, x = GRU(4, 6), batch()
    h = None
    for x_t in x.unbind(1):
        h = gru.cell(x_t, h)
    torch.testing.assert_close(h, gru(x)[1])


def test_gradients_agree_with_finite_differences():
    torch.manual_seed(5)
    gru = GRU(2, 3).double()
    x = batch(torch.float64, batch_size=2, steps=4, features=2).requires_grad_()
    h0 = torch.randn(2, 3, dtype=torch.float64, requires_grad=True)
    parameters = dict(gru.named_parameters())
    assert torch.autograd.gradcheck(
        lambda x, h0, *weights: torch.func.functional_call(gru, dict(zip(parameters, weights)), (x, h0))[0],
        (x, h0, *parameters.values()),
    )


def test_every_weight_starts_uniform_within_one_over_root_h_as_in_torch():
    cell = GRUCell(3, 16)
    for name, parameter in cell.named_parameters():
        assert parameter.abs().max() <= 1 / 16**0.5, name
        assert parameter.abs().max() > 0.5 / 16**0.5, name  # spread over the range, not zeros
    assert [p.shape for p in cell.parameters()] == [(48, 3), (48, 16), (48,), (16,)]


BAD_INPUT = [
    ("x-with-the-wrong-features", lambda: GRU(2, 4)(torch.zeros(3, 5, 7)),
     ValueError, ["x", "2 features", "(3, 5, 7)"]),
    ("trace-x-without-a-time-axis", lambda: GRU(2, 4).trace(torch.zeros(3, 2)),
     ValueError, ["x", "(batch, time, features)", "(3, 2)"]),
    ("x-of-integers", lambda: GRU(2, 4)(torch.zeros(3, 5, 2, dtype=torch.long)),
     TypeError, ["x", "floating-point", "torch.int64"]),
    ("h0-with-a-layer-axis", lambda: GRU(2, 4)(torch.zeros(3, 5, 2), torch.zeros(1, 3, 4)),
     ValueError, ["h0", "(3, 4)", "(1, 3, 4)"]),
    ("h0-an-lstm-pair", lambda: GRU(2, 4)(torch.zeros(3, 5, 2), (torch.zeros(3, 4), torch.zeros(3, 4))),
     TypeError, ["h0", "torch.Tensor", "tuple"]),
    ("h0-of-another-dtype", lambda: GRU(2, 4).trace(torch.zeros(3, 5, 2), torch.zeros(3, 4).double()),
     TypeError, ["h0", "dtype", "torch.float32", "torch.float64"]),
    ("hidden-size-a-float", lambda: GRU(2, 4.5), TypeError, ["hidden_size", "int", "4.5"]),
    ("cell-x-with-the-wrong-features", lambda: GRUCell(2, 4)(torch.zeros(3, 3)), ValueError, ["x", "(B, 2)", "(3, 3)"]),
    ("from-an-lstm", lambda: GRU.from_torch(torch.nn.LSTM(2, 4)), TypeError, ["torch_gru", "torch.nn.GRU", "LSTM"]),
    ("from-two-layers", lambda: GRU.from_torch(torch.nn.GRU(2, 4, num_layers=2)),
     ValueError, ["torch_gru", "one-layer, one-direction torch.nn.GRU with bias", "num_layers=2"]),
    ("from-two-directions", lambda: GRU.from_torch(torch.nn.GRU(2, 4, bidirectional=True)),
     ValueError, ["torch_gru", "bidirectional=True"]),
    ("from-no-bias", lambda: GRU.from_torch(torch.nn.GRU(2, 4, bias=False)), ValueError, ["torch_gru", "bias=False"]),
]


@pytest.mark.parametrize(("call", "error", "words"), [pytest.param(*case, id=name) for name, *case in BAD_INPUT])
def test_bad_input_names_argument_expectation_and_value(call, error, words):
    with pytest.raises(error) as raised:
        call()
    for word in words:
        assert word in str(raised.value), f"{word!r} missing from: {raised.value}"


def test_the_docstring_examples_run():
    assert doctest.testmod(lstm_course.gru, raise_on_error=True).attempted > 0
