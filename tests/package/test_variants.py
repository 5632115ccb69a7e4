"""The peephole and CIFG LSTMs compute their equations, start where they promise, and fail clearly on bad input.

The course's LSTM is the oracle for the peephole LSTM: with zero peepholes the two are one model.
The CIFG LSTM is checked against its equations, and against one step worked out by hand.
"""

import doctest
import math

import pytest
import torch

from lstm_course import GATE_NAMES, LSTM, tasks, variants
from lstm_course.variants import CIFGLSTM, CIFGLSTMCell, PeepholeLSTM

from helpers import TOLERANCE, batch, random_state

VARIANTS = {"peephole": PeepholeLSTM, "cifg": CIFGLSTM}


def previous_states(trace, h0, c0):
    """:math:`h_{t-1}` and :math:`c_{t-1}` at every step, ``(B, T, H)`` each, from a trace and the initial states."""
    return (torch.cat([h0.unsqueeze(1), trace.hidden[:, :-1]], dim=1),
            torch.cat([c0.unsqueeze(1), trace.cell[:, :-1]], dim=1))


def build(kind, input_size, hidden_size):
    """A variant by name; a peephole LSTM gets random peepholes, so that a misplaced peephole shows."""
    model = VARIANTS[kind](input_size, hidden_size)
    if kind == "peephole":
        with torch.no_grad():
            for name in ("p_i", "p_f", "p_o"):
                getattr(model.cell, name).uniform_(-1, 1)
    return model


@pytest.mark.parametrize("kind", VARIANTS)
def test_forward_and_trace_give_every_state_and_gate_in_the_lstms_shapes(kind):
    model = VARIANTS[kind](4, 6)
    x = batch()
    out, (h, c) = model(x)
    trace = model.trace(x)
    assert out.shape == trace.hidden.shape == trace.cell.shape == (3, 9, 6)
    assert h.shape == c.shape == (3, 6)
    assert set(trace.gates) == {*GATE_NAMES, "candidate"}
    assert all(gate.shape == (3, 9, 6) for gate in trace.gates.values())


@pytest.mark.parametrize("kind", VARIANTS)
@pytest.mark.parametrize("with_state", [False, True])
def test_the_trace_computes_what_forward_computes(kind, with_state):
    model = build(kind, 4, 6)
    x, state = batch(), random_state() if with_state else None
    out, (h, c) = model(x, state)
    trace = model.trace(x, state)
    torch.testing.assert_close(trace.hidden, out, atol=0, rtol=0)
    torch.testing.assert_close(trace.hidden[:, -1], h, atol=0, rtol=0)
    torch.testing.assert_close(trace.cell[:, -1], c, atol=0, rtol=0)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("with_state", [False, True])
def test_a_peephole_lstm_copied_from_an_lstm_computes_what_the_lstm_computes(dtype, with_state):
    torch.manual_seed(1)
    lstm = LSTM(4, 6).to(dtype)
    with torch.no_grad():
        lstm.cell.b.uniform_(-1, 1)  # not the initial biases: the copy takes what it is given
    peephole = PeepholeLSTM.from_lstm(lstm)
    assert peephole.cell.W_x.dtype == dtype
    x, state = batch(dtype), random_state(dtype) if with_state else None
    out, (h, c) = peephole(x, state)
    expected_out, (expected_h, expected_c) = lstm(x, state)
    tol = TOLERANCE[dtype]
    torch.testing.assert_close(out, expected_out, atol=tol, rtol=tol)
    torch.testing.assert_close(h, expected_h, atol=tol, rtol=tol)
    torch.testing.assert_close(c, expected_c, atol=tol, rtol=tol)
    expected_trace, trace = lstm.trace(x, state), peephole.trace(x, state)
    torch.testing.assert_close(trace.cell, expected_trace.cell, atol=tol, rtol=tol)
    for name in (*GATE_NAMES, "candidate"):
        torch.testing.assert_close(trace.gates[name], expected_trace.gates[name], atol=tol, rtol=tol)


def test_a_peephole_lstm_built_after_a_seed_is_the_lstm_built_after_that_seed():
    torch.manual_seed(5)
    lstm = LSTM(4, 6, forget_bias=2.0)
    torch.manual_seed(5)
    peephole = PeepholeLSTM(4, 6, forget_bias=2.0)
    for name in ("W_x", "W_h", "b"):
        assert torch.equal(getattr(peephole.cell, name), getattr(lstm.cell, name)), name
    for name in ("p_i", "p_f", "p_o"):
        assert torch.equal(getattr(peephole.cell, name), torch.zeros(6)), name
    torch.testing.assert_close(peephole(batch())[0], lstm(batch())[0], atol=1e-6, rtol=0)


def test_the_peepholes_learn_from_zero_and_then_change_the_output():
    torch.manual_seed(2)
    lstm = LSTM(4, 6)
    peephole = PeepholeLSTM.from_lstm(lstm)
    x = batch()
    peephole(x)[0].sin().sum().backward()
    for name in ("p_i", "p_f", "p_o"):
        assert getattr(peephole.cell, name).grad.abs().min() > 0, name
    with torch.no_grad():
        peephole.cell.p_o.fill_(0.5)
    assert not torch.allclose(peephole(x)[0], lstm(x)[0])


def test_the_peephole_trace_holds_every_gate_and_state_of_the_peephole_equations():
    torch.manual_seed(3)
    model = build("peephole", 4, 6).double()
    x = batch(torch.float64)
    h0, c0 = random_state(torch.float64)
    trace = model.trace(x, (h0, c0))
    h_prev, c_prev = previous_states(trace, h0, c0)
    cell = model.cell

    def pre_activation(gate):
        W_x, W_h, b = (cell.gate_rows(name, gate) for name in ("W_x", "W_h", "b"))
        return x @ W_x.T + h_prev @ W_h.T + b

    i = torch.sigmoid(pre_activation("input") + cell.p_i * c_prev)
    f = torch.sigmoid(pre_activation("forget") + cell.p_f * c_prev)
    g = torch.tanh(pre_activation("candidate"))
    c = f * c_prev + i * g
    o = torch.sigmoid(pre_activation("output") + cell.p_o * c)  # the new cell state
    for name, expected in [("input", i), ("forget", f), ("candidate", g), ("output", o)]:
        torch.testing.assert_close(trace.gates[name], expected)
    torch.testing.assert_close(trace.cell, c)
    torch.testing.assert_close(trace.hidden, o * torch.tanh(c))


def test_one_cifg_step_worked_out_by_hand():
    cell = CIFGLSTMCell(input_size=1, hidden_size=1)
    with torch.no_grad():  # rows: forget gate, output gate, candidate
        cell.W_x.copy_(torch.tensor([[1.0], [0.0], [2.0]]))
        cell.W_h.copy_(torch.tensor([[0.0], [1.0], [0.0]]))
        cell.b.copy_(torch.tensor([0.0, 0.0, 0.0]))
    x, h_prev, c_prev = torch.tensor([[0.5]]), torch.tensor([[-1.0]]), torch.tensor([[2.0]])
    f = 1 / (1 + math.exp(-0.5))  # sigma(1 * 0.5)
    o = 1 / (1 + math.exp(1.0))  # sigma(1 * -1)
    g = math.tanh(1.0)  # tanh(2 * 0.5)
    c = f * 2.0 + (1 - f) * g
    h = o * math.tanh(c)
    h_t, c_t, gates = cell.step(cell.input_part(x), h_prev, c_prev)
    torch.testing.assert_close(c_t, torch.tensor([[c]]))
    torch.testing.assert_close(h_t, torch.tensor([[h]]))
    torch.testing.assert_close(gates["input"], torch.tensor([[1 - f]]))
    torch.testing.assert_close(cell(x, (h_prev, c_prev)), (h_t, c_t), atol=0, rtol=0)


def test_the_cifg_trace_holds_every_gate_and_state_of_the_cifg_equations():
    torch.manual_seed(4)
    model = CIFGLSTM(4, 6).double()
    x = batch(torch.float64)
    h0, c0 = random_state(torch.float64)
    trace = model.trace(x, (h0, c0))
    h_prev, c_prev = previous_states(trace, h0, c0)
    for name in ("forget", "output", "candidate"):
        W_x, W_h, b = (model.cell.gate_rows(p, name) for p in ("W_x", "W_h", "b"))
        squash = torch.tanh if name == "candidate" else torch.sigmoid
        torch.testing.assert_close(trace.gates[name], squash(x @ W_x.T + h_prev @ W_h.T + b))
    f, o, g = trace.gates["forget"], trace.gates["output"], trace.gates["candidate"]
    assert torch.equal(trace.gates["input"], 1 - f)
    torch.testing.assert_close(trace.cell, f * c_prev + (1 - f) * g)
    torch.testing.assert_close(trace.hidden, o * torch.tanh(trace.cell))


def test_the_cifg_has_no_input_gate_weights_and_a_quarter_fewer_weights():
    cifg, lstm = CIFGLSTM(4, 6), LSTM(4, 6)
    assert cifg.cell.gates == ("forget", "output")
    assert 4 * sum(p.numel() for p in cifg.parameters()) == 3 * sum(p.numel() for p in lstm.parameters())
    with pytest.raises(ValueError, match="input"):
        cifg.cell.gate_rows("W_x", "input")


@pytest.mark.parametrize("seed", range(4))
def test_the_cifg_input_gate_starts_near_one_minus_sigma_of_the_forget_bias(seed):
    torch.manual_seed(seed)
    model = CIFGLSTM(4, 32)
    x, _ = tasks.DelayedRecall(lag=10).sample(64, generator=torch.Generator().manual_seed(seed))
    with torch.no_grad():
        trace = model.trace(x)
    assert abs(trace.gates["forget"].mean().item() - 0.731) < 0.05
    assert abs(trace.gates["input"].mean().item() - 0.269) < 0.05


@pytest.mark.parametrize("kind", VARIANTS)
def test_an_omitted_state_is_zeros_and_a_passed_state_changes_the_output(kind):
    model = VARIANTS[kind](4, 6)
    x = batch()
    zeros, ones = (torch.zeros(3, 6), torch.zeros(3, 6)), (torch.ones(3, 6), torch.ones(3, 6))
    torch.testing.assert_close(model(x)[0], model(x, zeros)[0], atol=0, rtol=0)
    assert not torch.allclose(model(x)[0], model(x, ones)[0])
    assert not torch.allclose(model.trace(x).hidden, model.trace(x, ones).hidden)


@pytest.mark.parametrize("kind", VARIANTS)
def test_stepping_the_cell_gives_the_sequence_models_last_states(kind):
    model = build(kind, 4, 6)
    x = batch()
    h, c = torch.zeros(3, 6), torch.zeros(3, 6)
    for x_t in x.unbind(1):
        h, c = model.cell(x_t, (h, c))
    _, (expected_h, expected_c) = model(x)
    torch.testing.assert_close(h, expected_h)
    torch.testing.assert_close(c, expected_c)


@pytest.mark.parametrize("kind", VARIANTS)
def test_gradients_agree_with_finite_differences(kind):
    torch.manual_seed(6)
    model = build(kind, 2, 3).double()
    x = batch(torch.float64, batch_size=2, steps=4, features=2).requires_grad_()
    h0, c0 = (s.requires_grad_() for s in random_state(torch.float64, batch_size=2, hidden_size=3))
    parameters = dict(model.named_parameters())

    def out_and_last_cell(x, h0, c0, *weights):
        out, (_, c) = torch.func.functional_call(model, dict(zip(parameters, weights)), (x, (h0, c0)))
        return out, c

    assert torch.autograd.gradcheck(out_and_last_cell, (x, h0, c0, *parameters.values()))


def test_forget_bias_fills_the_forget_rows_of_both_variants():
    for model in (PeepholeLSTM(3, 4, forget_bias=2.5), CIFGLSTM(3, 4, forget_bias=2.5)):
        assert torch.equal(model.cell.gate_rows("b", "forget"), torch.full((4,), 2.5))
    for model in [variant(3, 4, **default) for variant in VARIANTS.values() for default in ({}, {"forget_bias": None})]:
        assert torch.equal(model.cell.gate_rows("b", "forget"), torch.ones(4))
        bound = 1 / 4**0.5  # the other weights: uniform on (-1/sqrt(H), 1/sqrt(H)), as in torch.nn
        for name in ("W_x", "W_h"):
            assert getattr(model.cell, name).abs().max() <= bound


def test_a_frozen_peephole_gate_reads_nothing_and_training_does_not_move_it():
    torch.manual_seed(7)
    model = build("peephole", 2, 3)
    model.cell.freeze_gate("output", bias=1.0)
    p_i = model.cell.p_i.detach().clone()
    optimizer = torch.optim.Adam(model.parameters(), lr=0.1)
    for _ in range(3):
        optimizer.zero_grad()
        model(torch.randn(4, 5, 2))[0].pow(2).sum().backward()
        optimizer.step()
    assert torch.equal(model.cell.p_o, torch.zeros(3))
    assert not torch.equal(model.cell.p_i, p_i)
    output = model.trace(torch.randn(2, 4, 2)).gates["output"]
    torch.testing.assert_close(output, torch.full_like(output, torch.sigmoid(torch.tensor(1.0)).item()))


def test_a_frozen_cifg_forget_gate_fixes_the_input_gate_at_its_complement():
    torch.manual_seed(8)
    model = CIFGLSTM(2, 3)
    model.cell.freeze_gate("forget", bias=2.0)
    gates = model.trace(torch.randn(4, 5, 2)).gates
    f = torch.sigmoid(torch.tensor(2.0)).item()
    torch.testing.assert_close(gates["forget"], torch.full_like(gates["forget"], f))
    torch.testing.assert_close(gates["input"], torch.full_like(gates["input"], 1 - f))


BAD_INPUT = [
    ("x-with-the-wrong-features", lambda kind: VARIANTS[kind](2, 4)(torch.zeros(3, 5, 7)),
     ValueError, ["x", "2 features", "(3, 5, 7)"]),
    ("trace-x-without-a-time-axis", lambda kind: VARIANTS[kind](2, 4).trace(torch.zeros(3, 2)),
     ValueError, ["x", "(batch, time, features)", "(3, 2)"]),
    ("x-of-integers", lambda kind: VARIANTS[kind](2, 4)(torch.zeros(3, 5, 2, dtype=torch.long)),
     TypeError, ["x", "floating-point", "torch.int64"]),
    ("state-not-a-pair", lambda kind: VARIANTS[kind](2, 4)(torch.zeros(3, 5, 2), torch.zeros(3, 4)),
     TypeError, ["state", "pair (h, c)"]),
    ("c-of-the-wrong-batch",
     lambda kind: VARIANTS[kind](2, 4)(torch.zeros(3, 5, 2), (torch.zeros(3, 4), torch.zeros(2, 4))),
     ValueError, ["c", "(3, 4)", "(2, 4)"]),
    ("h-of-another-dtype",
     lambda kind: VARIANTS[kind](2, 4).trace(torch.zeros(3, 5, 2), (torch.zeros(3, 4).double(), torch.zeros(3, 4))),
     TypeError, ["h", "dtype", "torch.float32", "torch.float64"]),
    ("hidden-size-zero", lambda kind: VARIANTS[kind](2, 0), ValueError, ["hidden_size", "positive", "0"]),
    ("forget-bias-a-string", lambda kind: VARIANTS[kind](2, 4, forget_bias="2"),
     TypeError, ["forget_bias must be a finite number, or None for the default", "str '2'"]),
    ("forget-bias-not-a-number", lambda kind: VARIANTS[kind](2, 4, forget_bias=float("nan")),
     ValueError, ["forget_bias must be a finite number", "nan"]),
    ("cell-given-a-sequence", lambda kind: VARIANTS[kind](2, 4).cell(torch.zeros(3, 5, 2)),
     ValueError, ["x", "(batch, input_size)", "(3, 5, 2)"]),
]


@pytest.mark.parametrize("kind", VARIANTS)
@pytest.mark.parametrize(("call", "error", "words"), [pytest.param(*case, id=name) for name, *case in BAD_INPUT])
def test_bad_input_names_argument_expectation_and_value(kind, call, error, words):
    with pytest.raises(error) as raised:
        call(kind)
    for word in words:
        assert word in str(raised.value), f"{word!r} missing from: {raised.value}"


@pytest.mark.parametrize(
    ("source", "error", "words"),
    [
        pytest.param(lambda: torch.nn.LSTM(2, 4), TypeError, ["lstm", "lstm_course LSTM", "LSTM"], id="a-torch-lstm"),
        pytest.param(lambda: LSTM(2, 4, gates=("input", "output")), ValueError,
                     ["lstm must have all three gates", "('input', 'output')"], id="an-lstm-without-a-forget-gate"),
        pytest.param(lambda: CIFGLSTM(2, 4), TypeError, ["lstm", "CIFGLSTM"], id="a-cifg-lstm"),
    ],
)
def test_a_peephole_lstm_is_copied_only_from_a_three_gate_lstm(source, error, words):
    with pytest.raises(error) as raised:
        PeepholeLSTM.from_lstm(source())
    for word in words:
        assert word in str(raised.value), f"{word!r} missing from: {raised.value}"


def test_the_docstring_examples_run():
    assert doctest.testmod(variants, raise_on_error=True).attempted > 0
