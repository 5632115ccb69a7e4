"""The cells and the sequence models compute their equations, and agree with torch.nn both ways.

PyTorch is the oracle: a model copied from ``torch.nn.RNN``/``LSTM`` gives the same outputs, states
and gradients, in float32 and float64, and a model copied to ``torch.nn`` computes what it does.
"""

import itertools

import pytest
import torch

from lstm_course import GATE_NAMES, LSTM, RNN, LSTMCell, RNNCell
from lstm_course.cells import gate_blocks

from helpers import TOLERANCE, batch, random_state

ALL_GATE_SUBSETS = [subset for r in range(4) for subset in itertools.combinations(GATE_NAMES, r)]
TORCH_GATE_ORDER = ("input", "forget", "candidate", "output")  # the row blocks of torch.nn.LSTM's weights


def gate_subset_id(gates):
    return "+".join(gates) or "no-gates"


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("with_state", [False, True])
def test_lstm_copied_from_torch_computes_the_same_outputs_and_states(dtype, with_state):
    torch.manual_seed(1)
    reference = torch.nn.LSTM(4, 6, batch_first=True).to(dtype)
    ours = LSTM.from_torch(reference)
    x = batch(dtype)
    state = random_state(dtype) if with_state else None
    torch_state = tuple(s.unsqueeze(0) for s in state) if with_state else None
    out, (h, c) = ours(x, state)
    expected_out, (expected_h, expected_c) = reference(x, torch_state)
    tol = TOLERANCE[dtype]
    torch.testing.assert_close(out, expected_out, atol=tol, rtol=tol)
    torch.testing.assert_close(h, expected_h[0], atol=tol, rtol=tol)
    torch.testing.assert_close(c, expected_c[0], atol=tol, rtol=tol)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("gates", ALL_GATE_SUBSETS, ids=gate_subset_id)
def test_lstm_copied_to_torch_computes_the_same_for_every_gate_subset(dtype, gates):
    torch.manual_seed(2)
    ours = LSTM(4, 6, gates=gates).to(dtype)
    x = batch(dtype)
    state = random_state(dtype)
    out, (h, c) = ours(x, state)
    expected_out, (expected_h, expected_c) = ours.to_torch()(x, tuple(s.unsqueeze(0) for s in state))
    tol = TOLERANCE[dtype]
    torch.testing.assert_close(out, expected_out, atol=tol, rtol=tol)
    torch.testing.assert_close(h, expected_h[0], atol=tol, rtol=tol)
    torch.testing.assert_close(c, expected_c[0], atol=tol, rtol=tol)


def test_lstm_copied_to_torch_and_back_keeps_every_weight_exactly():
    torch.manual_seed(3)
    ours = LSTM(2, 5)
    back = dict(LSTM.from_torch(ours.to_torch()).named_parameters())
    for name, parameter in ours.named_parameters():
        torch.testing.assert_close(parameter, back[name], atol=0, rtol=0)


def test_lstm_weight_gradients_match_torch():
    torch.manual_seed(4)
    reference = torch.nn.LSTM(4, 6, batch_first=True).double()
    ours = LSTM.from_torch(reference)
    x = batch(torch.float64)
    ours(x)[0].sin().sum().backward()
    reference(x)[0].sin().sum().backward()
    H = ours.hidden_size
    torch_gradients = {"W_x": reference.weight_ih_l0.grad, "W_h": reference.weight_hh_l0.grad,
                       "b": reference.bias_ih_l0.grad}
    for k, gate in enumerate(TORCH_GATE_ORDER):
        torch_rows = slice(k * H, (k + 1) * H)
        for name, torch_gradient in torch_gradients.items():
            start = (*ours.gates, "candidate").index(gate) * H
            ours_gradient = getattr(ours.cell, name).grad[start : start + H]
            torch.testing.assert_close(ours_gradient, torch_gradient[torch_rows], atol=1e-10, rtol=1e-10)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("with_state", [False, True])
def test_rnn_computes_what_torch_computes_copied_either_way(dtype, with_state):
    torch.manual_seed(6)
    reference = torch.nn.RNN(4, 6, batch_first=True).to(dtype)
    ours = RNN.from_torch(reference)
    x = batch(dtype)
    h0 = torch.randn(3, 6, dtype=dtype) if with_state else None
    torch_h0 = h0.unsqueeze(0) if with_state else None
    out, h = ours(x, h0)
    expected_out, expected_h = reference(x, torch_h0)
    tol = TOLERANCE[dtype]
    torch.testing.assert_close(out, expected_out, atol=tol, rtol=tol)
    torch.testing.assert_close(h, expected_h[0], atol=tol, rtol=tol)
    copy_out, _ = ours.to_torch()(x, torch_h0)
    torch.testing.assert_close(out, copy_out, atol=tol, rtol=tol)


def test_rnn_weight_gradients_match_torch():
    torch.manual_seed(5)
    reference = torch.nn.RNN(4, 6, batch_first=True).double()
    ours = RNN.from_torch(reference)
    x = batch(torch.float64)
    ours(x)[0].sin().sum().backward()
    reference(x)[0].sin().sum().backward()
    for ours_weight, torch_weight in [
        (ours.cell.W_x, reference.weight_ih_l0),
        (ours.cell.W_h, reference.weight_hh_l0),
        (ours.cell.b, reference.bias_ih_l0),
    ]:
        torch.testing.assert_close(ours_weight.grad, torch_weight.grad, atol=1e-10, rtol=1e-10)


def test_rnn_gradients_agree_with_finite_differences():
    torch.manual_seed(7)
    rnn = RNN(2, 3).double()
    x = batch(torch.float64, batch_size=2, steps=5, features=2).requires_grad_()
    h0 = torch.randn(2, 3, dtype=torch.float64, requires_grad=True)
    names = [name for name, _ in rnn.named_parameters()]

    def run(x, h0, *weights):
        return torch.func.functional_call(rnn, dict(zip(names, weights)), (x, h0))[0]

    assert torch.autograd.gradcheck(run, (x, h0, *rnn.parameters()))


def test_an_omitted_state_is_zeros_and_a_passed_state_changes_the_output():
    torch.manual_seed(8)
    lstm, rnn = LSTM(4, 6), RNN(4, 6)
    x = batch(torch.float32)
    zeros, ones = (torch.zeros(3, 6), torch.zeros(3, 6)), (torch.ones(3, 6), torch.ones(3, 6))
    torch.testing.assert_close(lstm(x)[0], lstm(x, zeros)[0], atol=0, rtol=0)
    torch.testing.assert_close(lstm.trace(x).hidden, lstm.trace(x, zeros).hidden, atol=0, rtol=0)
    torch.testing.assert_close(rnn(x)[0], rnn(x, zeros[0])[0], atol=0, rtol=0)
    assert not torch.allclose(lstm(x)[0], lstm(x, ones)[0])
    assert not torch.allclose(lstm.trace(x).hidden, lstm.trace(x, ones).hidden)
    assert not torch.allclose(rnn(x)[0], rnn(x, ones[0])[0])


@pytest.mark.parametrize("gates", ALL_GATE_SUBSETS, ids=gate_subset_id)
def test_the_trace_holds_every_gate_and_state_of_the_lstm_equations(gates):
    torch.manual_seed(9)
    lstm = LSTM(4, 6, gates=gates).double()
    x = batch(torch.float64)
    h0, c0 = random_state(torch.float64)
    trace = lstm.trace(x, (h0, c0))
    h_prev = torch.cat([h0.unsqueeze(1), trace.hidden[:, :-1]], dim=1)
    c_prev = torch.cat([c0.unsqueeze(1), trace.cell[:, :-1]], dim=1)
    for name in (*GATE_NAMES, "candidate"):
        if name in (*gates, "candidate"):
            W_x, W_h, b = (lstm.cell.gate_rows(p, name) for p in ("W_x", "W_h", "b"))
            squash = torch.tanh if name == "candidate" else torch.sigmoid
            torch.testing.assert_close(trace.gates[name], squash(x @ W_x.T + h_prev @ W_h.T + b))
        else:
            assert torch.equal(trace.gates[name], torch.ones_like(trace.hidden))
    i, f, o, g = (trace.gates[name] for name in ("input", "forget", "output", "candidate"))
    torch.testing.assert_close(trace.cell, f * c_prev + i * g)
    torch.testing.assert_close(trace.hidden, o * torch.tanh(trace.cell))
    out, (h, c) = lstm(x, (h0, c0))
    torch.testing.assert_close(trace.hidden, out)
    torch.testing.assert_close(trace.cell[:, -1], c)


def test_stepping_the_cells_gives_the_sequence_models_last_states():
    torch.manual_seed(10)
    lstm, rnn = LSTM(4, 6, gates=("forget", "output")), RNN(4, 6)
    x = batch(torch.float32)
    h, c, h_rnn = torch.zeros(3, 6), torch.zeros(3, 6), None
    for x_t in x.unbind(1):
        h, c = lstm.cell(x_t, (h, c))
        h_rnn = rnn.cell(x_t, h_rnn)
    _, (expected_h, expected_c) = lstm(x)
    torch.testing.assert_close(h, expected_h)
    torch.testing.assert_close(c, expected_c)
    torch.testing.assert_close(h_rnn, rnn(x)[1])


def test_rnn_cell_is_the_equation():
    torch.manual_seed(12)
    cell = RNNCell(2, 3)
    x, h = torch.randn(4, 2), torch.randn(4, 3)
    torch.testing.assert_close(cell(x, h), torch.tanh(x @ cell.W_x.T + h @ cell.W_h.T + cell.b))


def test_forget_bias_fills_the_forget_rows_and_no_other_row():
    cell = LSTMCell(3, 4, forget_bias=2.5)
    assert torch.equal(cell.gate_rows("b", "forget"), torch.full((4,), 2.5))
    bound = 1 / 4**0.5  # every other entry keeps torch.nn's initialisation, uniform on (-1/sqrt(H), 1/sqrt(H))
    for gate in ("input", "output", "candidate"):
        assert cell.gate_rows("b", gate).abs().max() <= bound
    assert torch.equal(LSTMCell(3, 4).gate_rows("b", "forget"), torch.ones(4))
    torch_bias = LSTM(3, 4, forget_bias=2.5).to_torch().bias_ih_l0
    assert torch.equal(torch_bias[4:8], torch.full((4,), 2.5))  # torch.nn's forget rows


def test_a_dropped_gate_stays_fixed_at_one_when_the_torch_copy_trains():
    torch.manual_seed(11)
    copy = LSTM(2, 3, gates=("input", "output")).to_torch()
    optimizer = torch.optim.Adam(copy.parameters(), lr=0.1)
    for _ in range(3):
        optimizer.zero_grad()
        copy(torch.randn(4, 5, 2))[0].pow(2).sum().backward()
        optimizer.step()
    back = LSTM.from_torch(copy)
    torch.testing.assert_close(torch.sigmoid(back.cell.gate_rows("b", "forget")), torch.ones(3), atol=0, rtol=0)
    assert torch.equal(back.cell.gate_rows("W_h", "forget"), torch.zeros(3, 3))
    assert torch.equal(back.cell.gate_rows("W_x", "forget"), torch.zeros(3, 2))


def test_an_edit_that_changes_nothing_leaves_the_trace_as_it_was():
    torch.manual_seed(0)
    model, x = LSTM(4, 6), batch(torch.float64)
    model = model.to(torch.float64)
    plain, edited = model.trace(x), model.trace(x, edit=lambda t, gates: gates)
    torch.testing.assert_close(edited.hidden, plain.hidden, atol=0, rtol=0)
    torch.testing.assert_close(edited.cell, plain.cell, atol=0, rtol=0)


def test_a_forget_gate_edited_to_one_is_the_lstm_without_a_forget_gate():
    torch.manual_seed(0)
    full = LSTM(4, 6).to(torch.float64)
    without = LSTM(4, 6, gates=("input", "output")).to(torch.float64)
    with torch.no_grad():  # the same weights for the layers both networks have
        for name in ("W_x", "W_h", "b"):
            for gate in ("input", "output", "candidate"):
                without.cell.gate_rows(name, gate).copy_(full.cell.gate_rows(name, gate))
    steps_seen = []

    def keep_everything(t, gates):
        steps_seen.append(t)
        return gates | {"forget": torch.ones_like(gates["forget"])}

    x = batch(torch.float64)
    edited = full.trace(x, edit=keep_everything)
    torch.testing.assert_close(edited.hidden, without(x)[0], atol=1e-12, rtol=0)
    assert steps_seen == list(range(x.shape[1]))
    assert torch.equal(edited.gates["forget"], torch.ones_like(edited.gates["forget"]))


def test_a_frozen_gate_is_constant_and_training_does_not_move_it():
    torch.manual_seed(0)
    model = LSTM(2, 3)
    model.cell.freeze_gate("forget", bias=1.0)
    others = {name: getattr(model.cell, name).detach().clone() for name in ("W_x", "W_h", "b")}
    optimizer = torch.optim.Adam(model.parameters(), lr=0.1)
    for _ in range(3):
        optimizer.zero_grad()
        model(torch.randn(4, 5, 2))[0].pow(2).sum().backward()
        optimizer.step()
    for name in ("W_x", "W_h"):
        assert torch.equal(model.cell.gate_rows(name, "forget"), torch.zeros_like(model.cell.gate_rows(name, "forget")))
        assert not torch.equal(model.cell.gate_rows(name, "input"), gate_blocks(others[name], model.cell.gates, 3, dim=0)["input"])
    assert torch.equal(model.cell.gate_rows("b", "forget"), torch.ones(3))
    forget = model.trace(torch.randn(2, 4, 2)).gates["forget"]
    torch.testing.assert_close(forget, torch.full_like(forget, torch.sigmoid(torch.tensor(1.0)).item()))

