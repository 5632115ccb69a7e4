"""Working with torch.nn.LSTM (gate rows, the forget bias) and the timing tools of chapter 9."""

import pytest
import torch
from torch import nn

from lstm_course import LSTM, speed, torch_lstm
from lstm_course.models import TORCH_GATE_ORDER


def test_gate_rows_are_views_of_the_blocks_in_torch_order():
    lstm = nn.LSTM(3, 5)
    for k, gate in enumerate(TORCH_GATE_ORDER):
        rows = torch_lstm.gate_rows(lstm.weight_hh_l0, gate)
        assert torch.equal(rows, lstm.weight_hh_l0[5 * k:5 * (k + 1)])
    with torch.no_grad():
        torch_lstm.gate_rows(lstm.bias_ih_l0, "output").fill_(7.0)
    assert torch.equal(lstm.bias_ih_l0[15:], torch.full((5,), 7.0))


def test_gate_rows_names_a_wrong_gate_or_a_parameter_that_is_not_stacked():
    with pytest.raises(ValueError, match="gate.*forgot"):
        torch_lstm.gate_rows(nn.LSTM(3, 5).bias_ih_l0, "forgot")
    with pytest.raises(ValueError, match=r"parameter must stack four blocks of rows, \(4H, ...\), got shape \(6,\)"):
        torch_lstm.gate_rows(torch.zeros(6), "input")


def test_set_forget_bias_sets_the_sum_in_every_layer_and_direction_and_nothing_else():
    lstm = nn.LSTM(3, 5, num_layers=2, bidirectional=True)
    before = {name: parameter.detach().clone() for name, parameter in lstm.named_parameters()}
    torch_lstm.set_forget_bias(lstm, 2.5)
    biases = [name.removeprefix("bias_ih") for name, _ in lstm.named_parameters() if name.startswith("bias_ih")]
    assert len(biases) == 4
    for suffix in biases:
        total = getattr(lstm, f"bias_ih{suffix}") + getattr(lstm, f"bias_hh{suffix}")
        assert torch.equal(torch_lstm.gate_rows(total, "forget"), torch.full((5,), 2.5))
        for gate in ("input", "candidate", "output"):
            for name in (f"bias_ih{suffix}", f"bias_hh{suffix}"):
                assert torch.equal(torch_lstm.gate_rows(getattr(lstm, name), gate),
                                   torch_lstm.gate_rows(before[name], gate))
    assert all(torch.equal(parameter, before[name]) for name, parameter in lstm.named_parameters()
               if name.startswith("weight"))


def test_set_forget_bias_agrees_with_the_course_lstm():
    torch.manual_seed(0)
    ours = LSTM(3, 5, forget_bias=1.5)
    theirs = ours.to_torch()
    with torch.no_grad():
        torch_lstm.gate_rows(theirs.bias_ih_l0, "forget").fill_(0.0)
    torch_lstm.set_forget_bias(theirs, 1.5)
    x = torch.randn(2, 6, 3)
    torch.testing.assert_close(theirs(x)[0], ours(x)[0])


def test_set_forget_bias_names_what_it_cannot_set():
    with pytest.raises(TypeError, match="lstm must be a torch.nn.LSTM, got GRU"):
        torch_lstm.set_forget_bias(nn.GRU(3, 5), 1.0)
    with pytest.raises(ValueError, match="bias=False"):
        torch_lstm.set_forget_bias(nn.LSTM(3, 5, bias=False), 1.0)


def test_textbook_lstm_computes_an_lstm():
    """With torch.nn.LSTM's weights split into its per-gate layers, the textbook LSTM gives the same outputs."""
    torch.manual_seed(0)
    textbook, reference = speed.TextbookLSTM(2, 4), nn.LSTM(2, 4, batch_first=True)
    with torch.no_grad():
        for gate, letter in zip(TORCH_GATE_ORDER, "ifgo"):
            textbook.from_x[letter].weight.copy_(torch_lstm.gate_rows(reference.weight_ih_l0, gate))
            textbook.from_x[letter].bias.copy_(torch_lstm.gate_rows(reference.bias_ih_l0 + reference.bias_hh_l0, gate))
            textbook.from_h[letter].weight.copy_(torch_lstm.gate_rows(reference.weight_hh_l0, gate))
    x = torch.randn(3, 5, 2)
    torch.testing.assert_close(textbook(x), reference(x)[0])


def test_training_step_leaves_gradients_and_timings_are_positive():
    model, x = LSTM(1, 4), torch.randn(2, 3, 1)
    loss = speed.training_step(model, x)
    assert loss.ndim == 0 and all(parameter.grad is not None for parameter in model.parameters())
    assert speed.median_step_seconds(model, x, repeats=3, warmup=1) > 0


def test_count_operations_counts_each_call_by_name_forward_and_backward():
    x = torch.randn(3, 4, requires_grad=True)
    calls = speed.count_operations(lambda: (x * 2).sum().backward())
    assert calls["mul.Tensor"] >= 1 and calls["sum"] == 1
    looped, fused = LSTM(1, 4), nn.LSTM(1, 4, batch_first=True)
    inputs = torch.randn(2, 50, 1)
    per_sequence = {steps: speed.count_operations(lambda: speed.training_step(looped, inputs[:, :steps])).total()
                    for steps in (25, 50)}
    assert per_sequence[50] > per_sequence[25] + 25  # a loop pays for every step
    fused_calls = [speed.count_operations(lambda: speed.training_step(fused, inputs[:, :steps]))
                   for steps in (25, 50)]
    if "mkldnn_rnn_layer" not in fused_calls[0]:
        pytest.skip("this PyTorch build runs torch.nn.LSTM without oneDNN's fused kernel")
    assert fused_calls[0].total() == fused_calls[1].total()  # the fused kernel does not
