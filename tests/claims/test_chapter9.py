"""Chapter 9's conclusions about torch.nn.LSTM, rerun with other weights and inputs (no training: nothing to learn)."""

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence, pad_sequence

from lstm_course import torch_lstm

I, H = 3, 5


def test_a_bidirectional_lstm_sees_the_future_only_in_its_backward_half(seed, record_property):
    torch.manual_seed(seed)
    both_ways, x = nn.LSTM(I, H, bidirectional=True, batch_first=True), torch.randn(4, 7, I)
    changed = x.clone()
    changed[:, -1] += 1.0
    moved = (both_ways(changed)[0] - both_ways(x)[0])[:, 0].abs().amax(dim=0)
    record_property("backward half moved by", moved[H:].max().item())
    assert moved[:H].max() == 0 and moved[H:].max() > 1e-6


def test_padding_corrupts_the_shorter_sequences_and_packing_does_not(seed, record_property):
    torch.manual_seed(seed)
    both_ways = nn.LSTM(I, H, bidirectional=True, batch_first=True)
    lengths = torch.tensor([4, 7, 2])  # not sorted: enforce_sorted=False must give the batch's order back
    sequences = [torch.randn(int(n), I) for n in lengths]
    padded = pad_sequence(sequences, batch_first=True)
    with torch.no_grad():
        alone = [both_ways(sequence[None]) for sequence in sequences]
        padded_out, (padded_h_n, _) = both_ways(padded)
        packed = pack_padded_sequence(padded, lengths, batch_first=True, enforce_sorted=False)
        packed_out, (packed_h_n, _) = both_ways(packed)
        packed_out, _ = pad_packed_sequence(packed_out, batch_first=True)
    for k, (true_out, (true_h_n, _)) in enumerate(alone):
        n = int(lengths[k])
        forward_error = (padded_out[k, :n, :H] - true_out[0, :, :H]).abs().max().item()
        backward_error = (padded_out[k, :n, H:] - true_out[0, :, H:]).abs().max().item()
        state_error = (padded_h_n[:, k] - true_h_n[:, 0]).abs().max().item()
        packed_error = max((packed_out[k, :n] - true_out[0]).abs().max().item(),
                           (packed_h_n[:, k] - true_h_n[:, 0]).abs().max().item())
        record_property(f"length {n}", [forward_error, backward_error, state_error, packed_error])
        assert forward_error < 1e-6 and packed_error < 1e-6
        if n < 7:
            per_step = (padded_out[k, :n, H:] - true_out[0, :, H:]).abs().amax(dim=1)
            assert backward_error > 1e-2 and state_error > 1e-2 and per_step.min() > 1e-4
            assert (packed_out[k, n:] == 0).all()


def test_padding_in_front_moves_the_final_state_through_the_biases(seed, record_property):
    sequences = [torch.randn(n, I, generator=torch.Generator().manual_seed(seed + n)) for n in (4, 7, 2)]
    in_front = torch.stack([torch.cat([torch.zeros(7 - len(s), I), s]) for s in sequences])
    errors = {}
    for bias in (True, False):
        torch.manual_seed(seed)
        forward_only = nn.LSTM(I, H, bias=bias, batch_first=True)
        with torch.no_grad():
            front_h_n = forward_only(in_front)[1][0]
            own_h_n = torch.cat([forward_only(s[None])[1][0] for s in sequences], dim=1)
        errors[bias] = (front_h_n - own_h_n).abs().amax(dim=(0, 2))
    record_property("errors with biases", errors[True].tolist())
    assert errors[True][1] < 1e-6 and (errors[True][[0, 2]] > 1e-4).all()
    assert errors[False].max() == 0


def test_one_bias_alone_spreads_the_forget_gate_and_both_set_it(seed):
    torch.manual_seed(seed)
    wide = nn.LSTM(I, 256, batch_first=True)

    def at_rest():
        bias = torch_lstm.gate_rows(wide.bias_ih_l0, "forget") + torch_lstm.gate_rows(wide.bias_hh_l0, "forget")
        return torch.sigmoid(bias).detach()

    sigma = torch.sigmoid
    assert sigma(torch.tensor(-2 / 16)) <= at_rest().min() and at_rest().max() <= sigma(torch.tensor(2 / 16))
    with torch.no_grad():
        torch_lstm.gate_rows(wide.bias_ih_l0, "forget").fill_(1.0)
    sigma_1, one_bias = sigma(torch.tensor(1.0)), at_rest()
    assert sigma(torch.tensor(1 - 1 / 16)) <= one_bias.min() < sigma_1 - 0.01
    assert sigma_1 + 0.01 < one_bias.max() <= sigma(torch.tensor(1 + 1 / 16))
    torch_lstm.set_forget_bias(wide, 1.0)
    both = at_rest()
    assert (both == both[0]).all() and torch.allclose(both, sigma_1)
