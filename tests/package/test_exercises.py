"""Every checker accepts the reference answer and rejects the typical wrong ones, with the right hint."""

import math
import re

import pytest
import torch

from lstm_course import LSTMCell, exercises


def right_count(input_size, hidden_size):
    return hidden_size * input_size + hidden_size * hidden_size + hidden_size


def right_step(x, h, W_x, W_h, b):
    return torch.tanh(x @ W_x.T + h @ W_h.T + b)


def test_rnn_parameter_count_checker_accepts_the_answer(capsys):
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
def test_rnn_parameter_count_checker_rejects_typical_mistakes(wrong, hint, capsys):
    assert not exercises.check_rnn_parameter_count(wrong)
    out = capsys.readouterr().out
    assert out.startswith("Not yet") and hint in out


def test_lstm_parameter_count_checker_accepts_the_answer(capsys):
    assert exercises.check_lstm_parameter_count(lambda i, h: 4 * h * (i + h + 1))
    assert capsys.readouterr().out.startswith("Correct")


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (lambda i, h: h * (i + h + 1), "the RNN's count"),
        (lambda i, h: 3 * h * (i + h + 1), "candidate"),
        (lambda i, h: 4 * h * (i + h), "bias"),
        (lambda i, h: 4 * h * (i + h + 2), "two biases"),
        (lambda i, h: 4 * (i + h + 1), "multiply"),
    ],
)
def test_lstm_parameter_count_checker_rejects_typical_mistakes(wrong, hint, capsys):
    assert not exercises.check_lstm_parameter_count(wrong)
    out = capsys.readouterr().out
    assert out.startswith("Not yet") and hint in out


def test_rnn_step_checker_accepts_the_answer(capsys):
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
def test_rnn_step_checker_rejects_typical_mistakes(wrong, hint, capsys):
    assert not exercises.check_rnn_step(wrong)
    out = capsys.readouterr().out
    assert out.startswith("Not yet") and hint in out


def right_bound(W_h, distance):
    return torch.linalg.matrix_norm(W_h, ord=2).item() ** distance


def test_gradient_norm_bound_checker_accepts_the_answer(capsys):
    assert exercises.check_gradient_norm_bound(right_bound)
    assert capsys.readouterr().out.startswith("Correct")


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (lambda W, d: torch.linalg.eigvals(W).abs().max().item() ** d, "spectral radius"),
        (lambda W, d: torch.linalg.matrix_norm(W).item() ** d, "Frobenius"),
        (lambda W, d: torch.linalg.matrix_norm(W, ord=2).item(), "power"),
        (lambda W, d: torch.linalg.matrix_norm(W, ord=2).item() ** (d - 1), "count the factors"),
        (lambda W, d: 0.5, "multiply one factor per step"),
        (lambda W, d: W @ W, "should return one number"),
    ],
)
def test_gradient_norm_bound_checker_rejects_typical_mistakes(wrong, hint, capsys):
    assert not exercises.check_gradient_norm_bound(wrong)
    out = capsys.readouterr().out
    assert out.startswith("Not yet") and hint in out


def right_steps(f, fraction):
    if f >= 1:
        return None
    return math.floor(math.log(fraction) / math.log(f)) + 1


def test_steps_until_below_checker_accepts_the_answer_and_a_loop(capsys):
    def by_loop(f, fraction):
        if f >= 1:
            return None
        k, left = 0, 1.0
        while left >= fraction:
            k, left = k + 1, left * f
        return k

    assert exercises.check_steps_until_below(right_steps)
    assert exercises.check_steps_until_below(by_loop)
    assert capsys.readouterr().out.startswith("Correct")


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (lambda f, x: None if f >= 1 else math.floor(math.log(x) / math.log(f)), "count one more step"),
        (lambda f, x: 10**9 if f >= 1 else right_steps(f, x), "answer is None"),
        (lambda f, x: None, "always falls below"),
        (lambda f, x: None if f >= 1 else round(x / (1 - f)), "smallest whole k"),
    ],
)
def test_steps_until_below_checker_rejects_typical_mistakes(wrong, hint, capsys):
    assert not exercises.check_steps_until_below(wrong)
    out = capsys.readouterr().out
    assert out.startswith("Not yet") and hint in out


def right_bias(lag, fraction):
    f = fraction ** (1 / lag)
    return math.log(f / (1 - f))


def test_forget_bias_checker_accepts_the_answer(capsys):
    assert exercises.check_forget_bias_to_keep(right_bias)
    assert capsys.readouterr().out.startswith("Correct")


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (lambda lag, fraction: fraction ** (1 / lag), "inverts the sigmoid"),
        (lambda lag, fraction: -right_bias(lag, fraction), "check the sign"),
        (lambda lag, fraction: math.log(fraction) / lag, "logarithm of the gate's value"),
        (lambda lag, fraction: "big", "return the bias as a number"),
    ],
)
def test_forget_bias_checker_rejects_typical_mistakes(wrong, hint, capsys):
    assert not exercises.check_forget_bias_to_keep(wrong)
    out = capsys.readouterr().out
    assert out.startswith("Not yet") and hint in out


def right_cell_after(c0, f, i, g):
    c = c0
    for t in range(len(f)):
        c = f[t] * c + i[t] * g[t]
    return c


def test_cell_after_writes_checker_accepts_the_answer(capsys):
    assert exercises.check_cell_after_writes(right_cell_after)
    assert capsys.readouterr().out.startswith("Correct")


def forget_after_the_write(c0, f, i, g):
    c = c0
    for t in range(len(f)):
        c = f[t] * (c + i[t] * g[t])
    return c


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (lambda c0, f, i, g: c0 + (i * g).sum(dim=0), "scales the old cell state"),
        (lambda c0, f, i, g: right_cell_after(c0, f, torch.ones_like(i), g), "filters the candidate"),
        (forget_after_the_write, "before the new write"),
        (lambda c0, f, i, g: f[-1] * c0 + i[-1] * g[-1], "every step counts"),
        (lambda c0, f, i, g: torch.stack([right_cell_after(c0, f[: t + 1], i, g) for t in range(len(f))]), "shape"),
        (lambda c0, f, i, g: c0 @ f, "raised"),
        (lambda c0, f, i, g: right_cell_after(c0, f, i, g) + 1, "at each step t set"),
    ],
)
def test_cell_after_writes_checker_rejects_typical_mistakes(wrong, hint, capsys):
    assert not exercises.check_cell_after_writes(wrong)
    out = capsys.readouterr().out
    assert out.startswith("Not yet") and hint in out


def right_hidden_state(c, a_o):
    return torch.sigmoid(a_o) * torch.tanh(c)


def test_hidden_state_checker_accepts_the_answer(capsys):
    assert exercises.check_hidden_state(right_hidden_state)
    assert capsys.readouterr().out.startswith("Correct")


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (lambda c, a_o: torch.tanh(c), "without an output gate"),
        (lambda c, a_o: torch.sigmoid(a_o) * c, "squashed by tanh"),
        (lambda c, a_o: torch.tanh(torch.sigmoid(a_o) * c), "not go inside the tanh"),
        (lambda c, a_o: a_o * torch.tanh(c), "pre-activation"),
        (lambda c, a_o: right_hidden_state(c, a_o).sum(dim=0), "shape"),
        (lambda c, a_o: c @ a_o, "raised"),
        (lambda c, a_o: right_hidden_state(c, a_o) + 0.1, "element by element"),
    ],
)
def test_hidden_state_checker_rejects_typical_mistakes(wrong, hint, capsys):
    assert not exercises.check_hidden_state(wrong)
    out = capsys.readouterr().out
    assert out.startswith("Not yet") and hint in out


def right_lstm_step(x, h, c, W_x, W_h, b):
    a_i, a_f, a_o, a_g = (x @ W_x.T + h @ W_h.T + b).chunk(4, dim=1)  # the course's order
    i, f, o, g = torch.sigmoid(a_i), torch.sigmoid(a_f), torch.sigmoid(a_o), torch.tanh(a_g)
    c = f * c + i * g
    return o * torch.tanh(c), c


def course_lstm_step(x, h, c, W_x, W_h, b):
    cell = LSTMCell(W_x.shape[1], W_h.shape[1]).to(W_x.dtype)
    with torch.no_grad():
        cell.W_x.copy_(W_x)
        cell.W_h.copy_(W_h)
        cell.b.copy_(b)
    return cell(x, (h, c))


def joined_lstm_step(x, h, c, W_x, W_h, b):
    z = torch.cat([x, h], dim=1) @ torch.cat([W_x, W_h], dim=1).T + b
    a_i, a_f, a_o, a_g = z.chunk(4, dim=1)
    c = torch.sigmoid(a_f) * c + torch.sigmoid(a_i) * torch.tanh(a_g)
    return torch.sigmoid(a_o) * torch.tanh(c), c


@pytest.mark.parametrize("step", [right_lstm_step, course_lstm_step, joined_lstm_step])
def test_lstm_step_checker_accepts_the_answer_and_the_course_cell(step, capsys):
    assert exercises.check_lstm_step(step)
    assert capsys.readouterr().out.startswith("Correct")


def lstm_step_with(x, h, c, W_x, W_h, b, order="ifog", candidate=torch.tanh, show=torch.tanh,
                   show_old_cell=False, swap_gates_in_cell=False, join=torch.cat, hidden_first=True):
    """An LSTM step with one of the typical mistakes switched on."""
    z = join([x, h], dim=1) @ torch.cat([W_x, W_h], dim=1).T + b
    blocks = dict(zip(order, z.chunk(4, dim=1)))
    i, f, o = torch.sigmoid(blocks["i"]), torch.sigmoid(blocks["f"]), torch.sigmoid(blocks["o"])
    g = candidate(blocks["g"])
    if swap_gates_in_cell:
        i, f = f, i
    c_new = f * c + i * g
    h_new = o * show(c if show_old_cell else c_new)
    return (h_new, c_new) if hidden_first else (c_new, h_new)


def test_lstm_step_checker_helper_without_mistakes_is_right(capsys):
    assert exercises.check_lstm_step(lstm_step_with)
    assert capsys.readouterr().out.startswith("Correct")


@pytest.mark.parametrize(
    ("mistake", "hint"),
    [
        ({"order": "ifgo"}, r"torch.nn.LSTM stacks input, forget, candidate, output \(i, f, g, o\)"),
        ({"candidate": torch.sigmoid}, r"h_t and c_t differ .* goes through tanh, not sigmoid"),
        ({"show": lambda c: c}, r"your h_t differs .*\(your c_t is right\).* not o_t \* c_t"),
        ({"show_old_cell": True}, r"your h_t differs .* compute c_t first"),
        ({"swap_gates_in_cell": True}, r"forget gate scales the old cell state and the input gate the candidate"),
        ({"join": torch.stack}, r"input_size=3, hidden_size=8 your function raised 'stack expects .* use torch.cat"),
        ({"hidden_first": False}, r"return the hidden state first"),
    ],
)
def test_lstm_step_checker_names_each_typical_mistake(mistake, hint, capsys):
    assert not exercises.check_lstm_step(lambda *args: lstm_step_with(*args, **mistake))
    out = capsys.readouterr().out
    assert out.startswith("Not yet") and re.search(hint, out), out


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (lambda x, h, c, W_x, W_h, b: right_lstm_step(x, h, c, W_x, W_h, b)[0], "returned a float64 tensor of shape"),
        (lambda x, h, c, W_x, W_h, b: tuple(s.float() for s in right_lstm_step(x, h, c, W_x, W_h, b)),
         "returned a tuple of 2: a float32 tensor"),
        (lambda x, h, c, W_x, W_h, b: right_lstm_step(x, h, c, W_x.T, W_h, b), "x @ W_x.T gives the four"),
        (lambda x, h, c, W_x, W_h, b: tuple(s + 0.1 for s in right_lstm_step(x, h, c, W_x, W_h, b)),
         "split z = x W_x"),
    ],
)
def test_lstm_step_checker_rejects_other_wrong_answers(wrong, hint, capsys):
    assert not exercises.check_lstm_step(wrong)
    out = capsys.readouterr().out
    assert out.startswith("Not yet") and hint in out, out


def test_lstm_step_checker_hints_from_its_own_copies_of_the_inputs(capsys):
    """A step that works in place on its arguments cannot change what the checker compares it with."""

    def in_place_in_torch_order(x, h, c, W_x, W_h, b):
        states = lstm_step_with(x, h, c, W_x, W_h, b, order="ifgo")
        for tensor in (x, h, c, W_x, W_h, b):
            tensor.mul_(0)
        return states

    assert not exercises.check_lstm_step(in_place_in_torch_order)
    assert "torch.nn.LSTM stacks input, forget, candidate, output" in capsys.readouterr().out


def right_bits_per_character(logits, targets):
    loss = torch.nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1))
    return loss / math.log(2)


def test_bits_per_character_checker_accepts_the_answer_as_a_tensor_or_a_float(capsys):
    assert exercises.check_bits_per_character(right_bits_per_character)
    assert exercises.check_bits_per_character(lambda z, y: right_bits_per_character(z, y).item())
    assert capsys.readouterr().out.startswith("Correct")


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (lambda z, y: right_bits_per_character(z, y) * math.log(2), "nats"),
        (lambda z, y: right_bits_per_character(z, y) * math.log(2) / math.log(10), "base-10"),
        (lambda z, y: right_bits_per_character(z, y) * y.numel(), "the sum"),
        (lambda z, y: -right_bits_per_character(z, y), "sign"),
        (lambda z, y: torch.nn.functional.cross_entropy(z, y), "flatten"),
        (lambda z, y: "2.3", "one number"),
        (lambda z, y: right_bits_per_character(z, y) + 0.1, "mean over all characters"),
    ],
)
def test_bits_per_character_checker_rejects_typical_mistakes(wrong, hint, capsys):
    assert not exercises.check_bits_per_character(wrong)
    out = capsys.readouterr().out
    assert out.startswith("Not yet") and hint in out


def right_probabilities(logits, temperature):
    return torch.softmax(logits / temperature, dim=-1)


def test_temperature_checker_accepts_the_answer(capsys):
    assert exercises.check_probabilities_at_temperature(right_probabilities)
    assert capsys.readouterr().out.startswith("Correct")


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (lambda z, t: torch.softmax(z * t, dim=-1), "not multiplied"),
        (lambda z, t: torch.softmax(z, dim=-1), "temperature 1"),
        (lambda z, t: z / t, "softmax turns them"),
        (lambda z, t: torch.softmax(z, dim=-1) ** (1 / t), "does not sum to 1"),
        (lambda z, t: right_probabilities(z, t)[None], "shape"),
        (lambda z, t: right_probabilities(z, t) + 0.01, "softmax(z / T)"),
    ],
)
def test_temperature_checker_rejects_typical_mistakes(wrong, hint, capsys):
    assert not exercises.check_probabilities_at_temperature(wrong)
    out = capsys.readouterr().out
    assert out.startswith("Not yet") and hint in out


def right_forget_gate_backward(delta_c, c_prev, f):
    return delta_c * c_prev * f * (1 - f), delta_c * f


def test_forget_gate_backward_checker_accepts_the_answer(capsys):
    assert exercises.check_forget_gate_backward(right_forget_gate_backward)
    assert capsys.readouterr().out.startswith("Correct")


def test_forget_gate_backward_answer_is_the_chain_rule():
    """The checker's answer is what autograd gives for c_t = sigmoid(z_f) * c_prev + i_t g_t."""
    generator = torch.Generator().manual_seed(0)
    z_f, c_prev, written, delta_c = torch.randn(4, 3, 5, dtype=torch.float64, generator=generator)
    z_f.requires_grad_()
    c_prev.requires_grad_()
    (delta_c * (torch.sigmoid(z_f) * c_prev + written)).sum().backward()
    f = torch.sigmoid(z_f).detach()
    for mine, autograd in zip(right_forget_gate_backward(delta_c, c_prev.detach(), f), (z_f.grad, c_prev.grad)):
        torch.testing.assert_close(mine, autograd, rtol=0, atol=1e-14)


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (lambda d, c, f: (d * c, d * f), "missing the sigmoid's derivative"),
        (lambda d, c, f: (d * c * f, d * f), "f (1 - f), not f"),
        (lambda d, c, f: (d * c * (1 - f**2), d * f), "derivative of tanh"),
        (lambda d, c, f: (d * f * (1 - f), d * f), "carries c_{t-1}"),
        (lambda d, c, f: (d * c * f * (1 - f), d), "1997 lane"),
        (lambda d, c, f: (d * c * f * (1 - f), d * f * (1 - f)), "belongs to the gate"),
        (lambda d, c, f: (d * c * f * (1 - f), d * c), "belongs to the gate's gradient"),
        (lambda d, c, f: d * c * f * (1 - f), "return the pair"),
        (lambda d, c, f: (2 * d * c * f * (1 - f), d * f), "each factor of your delta_z_f"),
        (lambda d, c, f: (d @ c * f, d * f), "element by element"),
    ],
)
def test_forget_gate_backward_checker_names_the_wrong_term(wrong, hint, capsys):
    assert not exercises.check_forget_gate_backward(wrong)
    out = capsys.readouterr().out
    assert out.startswith("Not yet") and hint in out
