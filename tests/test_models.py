"""The scratch models against torch.nn: same numbers, same gradients, both directions of copying."""

import itertools

import pytest
import torch

from lstm_course import GATE_NAMES, LSTM, RNN, LSTMCell, RNNCell

TOLERANCE = {torch.float32: 1e-5, torch.float64: 1e-10}
ALL_GATE_SUBSETS = [subset for r in range(4) for subset in itertools.combinations(GATE_NAMES, r)]


def batch(dtype, batch_size=3, steps=9, features=4, seed=0):
    generator = torch.Generator().manual_seed(seed)
    return torch.randn(batch_size, steps, features, generator=generator).to(dtype)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("with_state", [False, True])
def test_lstm_from_torch_matches_torch(dtype, with_state):
    torch.manual_seed(1)
    reference = torch.nn.LSTM(4, 6, batch_first=True).to(dtype)
    ours = LSTM.from_torch(reference)
    x = batch(dtype)
    state = (torch.randn(3, 6, dtype=dtype), torch.randn(3, 6, dtype=dtype)) if with_state else None
    torch_state = tuple(s.unsqueeze(0) for s in state) if with_state else None
    out, (h, c) = ours(x, state)
    expected_out, (expected_h, expected_c) = reference(x, torch_state)
    tol = TOLERANCE[dtype]
    torch.testing.assert_close(out, expected_out, atol=tol, rtol=tol)
    torch.testing.assert_close(h, expected_h[0], atol=tol, rtol=tol)
    torch.testing.assert_close(c, expected_c[0], atol=tol, rtol=tol)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("gates", ALL_GATE_SUBSETS, ids=lambda g: "+".join(g) or "no-gates")
def test_lstm_to_torch_matches_for_every_gate_subset(dtype, gates):
    torch.manual_seed(2)
    ours = LSTM(4, 6, gates=gates).to(dtype)
    x = batch(dtype)
    state = (torch.randn(3, 6, dtype=dtype), torch.randn(3, 6, dtype=dtype))
    out, (h, c) = ours(x, state)
    expected_out, (expected_h, expected_c) = ours.to_torch()(x, tuple(s.unsqueeze(0) for s in state))
    tol = TOLERANCE[dtype]
    torch.testing.assert_close(out, expected_out, atol=tol, rtol=tol)
    torch.testing.assert_close(c, expected_c[0], atol=tol, rtol=tol)


def test_lstm_round_trip_keeps_every_weight():
    torch.manual_seed(3)
    ours = LSTM(2, 5)
    back = LSTM.from_torch(ours.to_torch())
    for name, parameter in ours.named_parameters():
        torch.testing.assert_close(parameter, dict(back.named_parameters())[name], atol=0, rtol=0)


def test_lstm_gradients_match_torch():
    torch.manual_seed(4)
    reference = torch.nn.LSTM(4, 6, batch_first=True).double()
    ours = LSTM.from_torch(reference)
    x = batch(torch.float64)
    ours(x)[0].sin().sum().backward()
    reference(x)[0].sin().sum().backward()
    H = ours.hidden_size
    for k, gate in enumerate(("input", "forget", "candidate", "output")):  # torch's row order
        torch_rows = slice(k * H, (k + 1) * H)
        for ours_name, torch_weight in (("W_x", reference.weight_ih_l0), ("W_h", reference.weight_hh_l0)):
            start = (*ours.gates, "candidate").index(gate) * H
            ours_grad = getattr(ours.cell, ours_name).grad[start : start + H]
            torch.testing.assert_close(ours_grad, torch_weight.grad[torch_rows], atol=1e-10, rtol=1e-10)


@pytest.mark.parametrize("gates", ALL_GATE_SUBSETS, ids=lambda g: "+".join(g) or "no-gates")
def test_lstm_gradcheck_for_every_gate_subset(gates):
    torch.manual_seed(5)
    lstm = LSTM(2, 3, gates=gates).double()
    x = batch(torch.float64, batch_size=2, steps=4, features=2).requires_grad_()
    h0 = torch.randn(2, 3, dtype=torch.float64, requires_grad=True)
    c0 = torch.randn(2, 3, dtype=torch.float64, requires_grad=True)
    parameters = tuple(lstm.parameters())

    def run(x, h0, c0, *weights):
        replaced = dict(zip([name for name, _ in lstm.named_parameters()], weights))
        out, (h, c) = torch.func.functional_call(lstm, replaced, (x, (h0, c0)))
        return out, c

    assert torch.autograd.gradcheck(run, (x, h0, c0, *parameters))


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("with_state", [False, True])
def test_rnn_matches_torch_both_ways(dtype, with_state):
    torch.manual_seed(6)
    reference = torch.nn.RNN(4, 6, batch_first=True).to(dtype)
    ours = RNN.from_torch(reference)
    x = batch(dtype)
    h0 = torch.randn(3, 6, dtype=dtype) if with_state else None
    out, h = ours(x, h0)
    expected_out, expected_h = reference(x, h0.unsqueeze(0) if with_state else None)
    tol = TOLERANCE[dtype]
    torch.testing.assert_close(out, expected_out, atol=tol, rtol=tol)
    torch.testing.assert_close(h, expected_h[0], atol=tol, rtol=tol)
    copy_out, _ = ours.to_torch()(x, h0.unsqueeze(0) if with_state else None)
    torch.testing.assert_close(out, copy_out, atol=tol, rtol=tol)


def test_rnn_gradcheck():
    torch.manual_seed(7)
    rnn = RNN(2, 3).double()
    x = batch(torch.float64, batch_size=2, steps=5, features=2).requires_grad_()
    h0 = torch.randn(2, 3, dtype=torch.float64, requires_grad=True)
    names = [name for name, _ in rnn.named_parameters()]

    def run(x, h0, *weights):
        return torch.func.functional_call(rnn, dict(zip(names, weights)), (x, h0))[0]

    assert torch.autograd.gradcheck(run, (x, h0, *rnn.parameters()))


def test_passing_a_state_changes_the_output():
    torch.manual_seed(8)
    lstm, rnn = LSTM(4, 6), RNN(4, 6)
    x = batch(torch.float32)
    state = (torch.ones(3, 6), torch.ones(3, 6))
    assert not torch.allclose(lstm(x)[0], lstm(x, state)[0])
    assert not torch.allclose(rnn(x)[0], rnn(x, state[0])[0])


@pytest.mark.parametrize("gates", ALL_GATE_SUBSETS, ids=lambda g: "+".join(g) or "no-gates")
def test_trace_obeys_the_gate_equations(gates):
    torch.manual_seed(9)
    lstm = LSTM(4, 6, gates=gates).double()
    x = batch(torch.float64)
    out, (h, c), trace = lstm(x, trace=True)
    i, f, o, g = (trace.gates[name] for name in ("input", "forget", "output", "candidate"))
    c_prev = torch.cat([torch.zeros_like(trace.cell[:, :1]), trace.cell[:, :-1]], dim=1)
    torch.testing.assert_close(trace.cell, f * c_prev + i * g)
    torch.testing.assert_close(trace.hidden, o * torch.tanh(trace.cell))
    torch.testing.assert_close(trace.hidden, out)
    torch.testing.assert_close(trace.cell[:, -1], c)
    for name in GATE_NAMES:
        if name not in gates:
            assert torch.equal(trace.gates[name], torch.ones_like(out))
    # the forget gate, recomputed from its own weights, matches the trace
    if "forget" in gates:
        h_prev = torch.cat([torch.zeros_like(out[:, :1]), out[:, :-1]], dim=1)
        W_xf, W_hf, b_f = (lstm.cell.gate_rows(p, "forget") for p in ("W_x", "W_h", "b"))
        torch.testing.assert_close(trace.gates["forget"], torch.sigmoid(x @ W_xf.T + h_prev @ W_hf.T + b_f))


def test_cells_agree_with_the_sequence_models():
    torch.manual_seed(10)
    lstm, rnn = LSTM(4, 6, gates=("forget", "output")), RNN(4, 6)
    x = batch(torch.float32)
    h, c, h_rnn = torch.zeros(3, 6), torch.zeros(3, 6), None
    for x_t in x.unbind(1):
        h, c = lstm.cell(x_t, (h, c))
        h_rnn = rnn.cell(x_t, h_rnn)
    torch.testing.assert_close(h, lstm(x)[1][0])
    torch.testing.assert_close(h_rnn, rnn(x)[1])


def test_forget_bias_sets_the_forget_rows_only():
    cell = LSTMCell(3, 4, forget_bias=2.5)
    assert torch.equal(cell.gate_rows("b", "forget"), torch.full((4,), 2.5))
    assert not torch.equal(cell.gate_rows("b", "input"), torch.full((4,), 2.5))
    assert torch.equal(LSTMCell(3, 4).gate_rows("b", "forget"), torch.ones(4))


def test_dropped_gate_stays_fixed_when_the_torch_copy_trains():
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


def test_rnn_cell_is_the_equation():
    torch.manual_seed(12)
    cell = RNNCell(2, 3)
    x, h = torch.randn(4, 2), torch.randn(4, 3)
    torch.testing.assert_close(cell(x, h), torch.tanh(x @ cell.W_x.T + h @ cell.W_h.T + cell.b))


@pytest.mark.parametrize("gates", ALL_GATE_SUBSETS, ids=lambda g: "+".join(g) or "no-gates")
def test_hand_written_bptt_equals_autograd_through_the_cell(gates):
    """The fast path (lstm_course.bptt) and the traced path (autograd through the cell) agree."""
    torch.manual_seed(13)
    lstm = LSTM(4, 6, gates=gates).double()
    x = batch(torch.float64).requires_grad_()
    state = tuple(torch.randn(3, 6, dtype=torch.float64, requires_grad=True) for _ in range(2))
    results = []
    for trace in (False, True):
        out, (h, c), *_ = lstm(x, state, trace=trace)
        loss = out.sin().sum() + (h * c).sum()
        results.append((out, h, c, *torch.autograd.grad(loss, (x, *state, *lstm.parameters()))))
    for fast, traced in zip(*results):
        torch.testing.assert_close(fast, traced, atol=1e-12, rtol=1e-10)
