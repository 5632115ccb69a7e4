"""The language model of chapter 8 and its tools: the model, truncated back-propagation through
time, the scores by character and by context, the n-gram's bits at given characters, and sampling.
Every model here is tiny and trains for a few steps."""

import doctest
import math

import pytest
import torch
from torch import nn

from lstm_course import LSTM, text
from lstm_course.text import models, sampling
from lstm_course.text.models import detach_state

REPEATED = "the cat sat on the mat. " * 40


@pytest.fixture(scope="module")
def vocabulary():
    return text.Vocabulary(REPEATED)


@pytest.fixture(scope="module")
def ids(vocabulary):
    return vocabulary.encode(REPEATED)


def tiny(kind, vocabulary, seed=0):
    builder = text.CharModel.lstm if kind == "lstm" else text.CharModel.rnn
    return builder(len(vocabulary), hidden_size=8, embedding_size=4, seed=seed)


@pytest.mark.parametrize("module", [models, sampling], ids=lambda m: m.__name__)
def test_the_docstring_examples_run(module):
    assert doctest.testmod(module, raise_on_error=True).attempted > 0


# The model

@pytest.mark.parametrize("kind", ["lstm", "rnn"])
def test_the_model_gives_logits_for_every_step_and_a_state_per_stream(kind, vocabulary, ids):
    model = tiny(kind, vocabulary)
    logits, state = model(ids[:30].view(3, 10), None)
    assert logits.shape == (3, 10, len(vocabulary))
    states = state if kind == "lstm" else (state,)
    assert all(s.shape == (3, 8) for s in states)


def test_the_lstm_sets_the_forget_bias_in_torchs_gate_order_and_trains_one_bias(vocabulary):
    model = text.CharModel.lstm(len(vocabulary), hidden_size=8, embedding_size=4, seed=0, forget_bias=2.5)
    bias = model.core.bias_ih_l0.detach()  # rows i, f, g, o of 8 each
    assert torch.all(bias[8:16] == 2.5) and not torch.any(bias[:8] == 2.5)
    assert torch.all(model.core.bias_hh_l0 == 0) and not model.core.bias_hh_l0.requires_grad
    scratch = LSTM.from_torch(model.core)
    assert torch.all(scratch.cell.gate_rows("b", "forget") == 2.5)  # the course's LSTM reads it as b_f
    everything = sum(p.numel() for p in model.parameters())
    assert text.parameter_count(model) == everything - 32  # bias_hh_l0 (4 * 8) is not counted


def test_the_same_seed_builds_the_same_model(vocabulary):
    first, second = tiny("lstm", vocabulary, seed=3), tiny("lstm", vocabulary, seed=3)
    assert all(torch.equal(a, b) for a, b in zip(first.state_dict().values(), second.state_dict().values()))


@pytest.mark.parametrize("kind", ["lstm", "rnn"])
def test_reading_in_chunks_with_the_state_carried_gives_the_logits_of_one_pass(kind, vocabulary, ids):
    model = tiny(kind, vocabulary)
    inputs = ids[:60].view(2, 30)
    whole, last = model(inputs, None)
    parts, state = [], None
    for chunk in inputs.split(7, dim=1):  # chunks of 7, 7, 7, 7 and 2
        logits, state = model(chunk, state)
        parts.append(logits)
    torch.testing.assert_close(torch.cat(parts, dim=1), whole)
    torch.testing.assert_close(state, last)


def test_hidden_states_are_the_cores_states_read_through_the_course_lstm(vocabulary, ids):
    model = tiny("lstm", vocabulary)
    h, c = model.hidden_states(ids[:40].view(2, 20))
    out, (h_last, c_last) = model.core(model.embedding(ids[:40].view(2, 20)))
    assert h.shape == c.shape == (2, 20, 8)
    torch.testing.assert_close(h, out)
    torch.testing.assert_close(c[:, -1], c_last[0])
    rnn = tiny("rnn", vocabulary)
    h, c = rnn.hidden_states(ids[:20][None])
    assert h.shape == (1, 20, 8) and c is None


def test_the_model_rejects_inputs_and_states_it_cannot_read(vocabulary, ids):
    model = tiny("lstm", vocabulary)
    with pytest.raises(TypeError, match="inputs must be a LongTensor of character ids .* got torch.float32"):
        model(ids[:10][None].float(), None)
    with pytest.raises(ValueError, match=r"inputs must have shape \(batch, time\) .* \(10,\); a single text is ids\[None\]"):
        model(ids[:10], None)
    with pytest.raises(ValueError, match=r"inputs must be ids in \[0, 10\] .* got values from 0 to 11"):
        model(torch.tensor([[0, 11]]), None)
    with pytest.raises(TypeError, match="state must be a pair \\(h, c\\) for an LSTM, or None, got Tensor"):
        model(ids[:10][None], torch.zeros(1, 8))
    with pytest.raises(ValueError, match=r"c must have shape \(batch, hidden_size\) = \(1, 8\), got \(2, 8\)"):
        model(ids[:10][None], (torch.zeros(1, 8), torch.zeros(2, 8)))
    with pytest.raises(TypeError, match="state must be one tensor h for an RNN"):
        tiny("rnn", vocabulary)(ids[:10][None], (torch.zeros(1, 8), torch.zeros(1, 8)))
    with pytest.raises(TypeError, match="core must be a torch.nn.LSTM or torch.nn.RNN, got LSTM"):
        text.CharModel(LSTM(4, 8), len(vocabulary), embedding_size=4)
    with pytest.raises(ValueError, match="core must be batch-first with input_size = embedding_size = 4"):
        text.CharModel(nn.LSTM(4, 8), len(vocabulary), embedding_size=4)
    with pytest.raises(ValueError, match="hidden_size must be a positive int, got 0"):
        text.CharModel.lstm(len(vocabulary), hidden_size=0)


# Truncated back-propagation through time

def test_training_lowers_the_loss_on_a_repetitive_text_and_scores_the_checkpoints(vocabulary, ids):
    model = tiny("lstm", vocabulary)
    validation = text.Streams(ids[:200], batch_size=2, chunk_length=50)
    before = text.bits_on_streams(model, validation)
    history = text.train_truncated(
        model, ids, steps=30, batch_size=4, chunk_length=20, lr=3e-2, validation=validation, every=12
    )
    assert len(history.loss) == 30 and history.checkpoints == [12, 24, 30]
    assert sum(history.loss[-5:]) / 5 < sum(history.loss[:5]) / 5 - 0.5
    assert history.validation[-1] < before - 0.5
    assert not model.core.bias_hh_l0.requires_grad and torch.all(model.core.bias_hh_l0 == 0)


def test_training_draws_no_random_numbers_so_the_same_model_gives_the_same_history(vocabulary, ids):
    histories = []
    for _ in range(2):
        torch.manual_seed(len(histories))  # a different global seed each time must not matter
        histories.append(text.train_truncated(tiny("rnn", vocabulary), ids, steps=5, batch_size=4, chunk_length=20))
    assert histories[0].loss == histories[1].loss


def test_training_carries_the_state_detached_and_wraps_around_with_a_zero_state(vocabulary, ids):
    model = tiny("lstm", vocabulary)
    passed, returned = [], []
    model.register_forward_pre_hook(lambda module, args: passed.append(args[1]))
    model.register_forward_hook(lambda module, args, output: returned.append(output[1]))
    streams = text.Streams(ids, batch_size=4, chunk_length=100)  # 960 characters: 3 chunks per pass
    text.train_truncated(model, ids, steps=4, batch_size=4, chunk_length=100, lr=1e-3)
    assert len(streams) == 3 and passed[0] is None and passed[3] is None
    for step in (1, 2):
        for carried, left in zip(passed[step], returned[step - 1]):
            assert left.grad_fn is not None  # the previous chunk's state is in its graph...
            assert carried.grad_fn is None and not carried.requires_grad  # ...the next chunk starts from a copy
            assert torch.equal(carried, left.detach())  # with the same numbers


def test_a_detached_state_stops_the_gradient_at_the_chunk_start(vocabulary):
    """The first chunk reads only 'c', the second only 'm': the embedding row of 'c' gets a
    gradient from the second chunk's loss only through the state."""
    model = tiny("lstm", vocabulary)
    a, b = vocabulary.encode("c").item(), vocabulary.encode("m").item()
    first, second = torch.full((1, 5), a), torch.full((1, 5), b)
    targets = torch.full((1, 5), a)
    for cut, gradient_reaches_a in ((lambda s: s, True), (detach_state, False)):
        model.zero_grad()
        _, state = model(first, None)
        logits, _ = model(second, cut(state))
        text.cross_entropy_in_bits(logits, targets).backward()
        row_a = model.embedding.weight.grad[a]
        assert bool(row_a.abs().sum() > 0) is gradient_reaches_a
        assert model.embedding.weight.grad[b].abs().sum() > 0


def test_train_truncated_rejects_bad_settings(vocabulary, ids):
    model = tiny("rnn", vocabulary)
    with pytest.raises(ValueError, match="steps must be a positive int, got 0"):
        text.train_truncated(model, ids, steps=0)
    with pytest.raises(ValueError, match="clip must be a positive number, got -1"):
        text.train_truncated(model, ids, steps=1, clip=-1)
    with pytest.raises(TypeError, match="validation must be a Streams of the validation text, or None, got Tensor"):
        text.train_truncated(model, ids, steps=1, validation=ids)
    with pytest.raises(TypeError, match="ids must be a 1-D LongTensor"):
        text.train_truncated(model, ids[None], steps=1)


# Scores by character and by context

def test_bits_along_the_stream_average_to_bits_per_character(vocabulary, ids):
    model = tiny("lstm", vocabulary)
    bits = text.bits_along_stream(model, ids, chunk_length=50)
    assert bits.shape == (len(ids) - 1,)
    assert bits.mean().item() == pytest.approx(text.bits_per_character(model, ids, chunk_length=50), rel=1e-5)
    reset = text.bits_along_stream(model, ids, chunk_length=50, reset=True)
    torch.testing.assert_close(reset[:50], bits[:50])  # the first chunk starts from zero either way
    assert not torch.allclose(reset[50:], bits[50:])


def test_a_context_that_reaches_the_start_gives_the_bits_along_the_stream(vocabulary, ids):
    model = tiny("lstm", vocabulary)
    along = text.bits_along_stream(model, ids[:200], chunk_length=30)
    for t in (1, 17, 45, 150):
        by_context = text.bits_by_context(model, ids[:200], [t], contexts=[t])
        torch.testing.assert_close(by_context[t], along[t - 1 : t])


def test_bits_by_context_gives_one_score_per_position_and_a_reproducible_warm_start(vocabulary, ids):
    model = tiny("lstm", vocabulary)
    positions = torch.tensor([30, 100, 250, 499])
    zero = text.bits_by_context(model, ids, positions, contexts=[1, 5, 30])
    warm = text.bits_by_context(model, ids, positions, contexts=[1, 5, 30], warm_up=20, seed=4)
    again = text.bits_by_context(model, ids, positions, contexts=[1, 5, 30], warm_up=20, seed=4)
    assert list(zero) == [1, 5, 30] and all(bits.shape == (4,) for bits in zero.values())
    assert all(torch.equal(warm[k], again[k]) for k in warm)
    assert not torch.allclose(warm[1], zero[1])


def test_bits_by_context_rejects_positions_without_their_context(vocabulary, ids):
    model = tiny("lstm", vocabulary)
    needs = r"positions must lie in \[30, 959\] \(each position needs the longest context, 30 characters\)"
    with pytest.raises(ValueError, match=needs + ", got values from 10 to 40"):
        text.bits_by_context(model, ids, [10, 40], contexts=[5, 30])
    with pytest.raises(TypeError, match="positions must be a 1-D tensor of ints, got 1-D torch.float32"):
        text.bits_by_context(model, ids, torch.tensor([40.0]), contexts=[5])
    with pytest.raises(TypeError, match="contexts must be a non-empty sequence of context lengths"):
        text.bits_by_context(model, ids, [40], contexts=5)
    with pytest.raises(ValueError, match="each context must be a positive int, got 0"):
        text.bits_by_context(model, ids, [40], contexts=[0, 5])
    with pytest.raises(ValueError, match="warm_up must be a non-negative int"):
        text.bits_by_context(model, ids, [40], contexts=[5], warm_up=-1)
    with pytest.raises(TypeError, match="reset must be True or False, got str 'no'"):
        text.bits_along_stream(model, ids, reset="no")


def test_the_ngrams_bits_at_every_character_average_to_its_bits_per_character(vocabulary):
    train, validation = REPEATED[:700], "the mat sat on the cat. the hat."
    for order in (1, 3):
        ngram = text.NGramModel(train, vocabulary, order=order)
        bits = ngram.bits_at(validation, range(order - 1, len(validation)))
        assert bits.dtype == torch.float64 and bits.shape == (len(validation) - order + 1,)
        assert bits.mean().item() == pytest.approx(ngram.bits_per_character(validation), rel=1e-12)
        t = 10
        expected = -math.log2(ngram.probability(validation[:t], validation[t]))
        assert ngram.bits_at(validation, [t]).item() == pytest.approx(expected, rel=1e-12)


def test_bits_at_rejects_a_character_without_its_full_context(vocabulary):
    ngram = text.NGramModel(REPEATED, vocabulary, order=3)
    needs = r"positions must lie in \[2, 9\] \(each character needs its order - 1 = 2 before it\)"
    with pytest.raises(ValueError, match=needs + ", got values from 1 to 4"):
        ngram.bits_at("the cat sa", [1, 4])
    with pytest.raises(TypeError, match="positions must be a sequence of ints"):
        ngram.bits_at("the cat sa", [2.0])
    with pytest.raises(ValueError, match="positions must hold at least one position"):
        ngram.bits_at("the cat sa", [])


# Sampling

def test_sampling_with_the_same_seeded_generator_writes_the_same_text(vocabulary):
    model = tiny("lstm", vocabulary)
    texts = [text.sample(model, vocabulary, "the ", 40, 1.0, torch.Generator().manual_seed(s)) for s in (0, 0, 1)]
    assert len(texts[0]) == 40 and set(texts[0]) <= set(vocabulary.characters)
    assert texts[0] == texts[1] != texts[2]


def test_a_temperature_near_zero_writes_the_most_likely_character_each_time(vocabulary):
    model = tiny("lstm", vocabulary)
    greedy, (logits, state) = [], model(vocabulary.encode("the ")[None], None)
    for _ in range(20):
        greedy.append(logits[0, -1].argmax().item())
        logits, state = model(torch.tensor([[greedy[-1]]]), state)
    for seed in (0, 1):
        cold = text.sample(model, vocabulary, "the ", 20, 1e-4, torch.Generator().manual_seed(seed))
        assert cold == vocabulary.decode(greedy)


def test_a_low_temperature_sharpens_and_a_high_one_flattens():
    logits = torch.tensor([1.5, 0.2, -0.7, 0.9])

    def entropy(p):
        return torch.special.entr(p).sum().item()  # -sum p log p, with 0 log 0 = 0

    at = {T: text.probabilities_at_temperature(logits, T) for T in (0.01, 0.5, 1.0, 2.0, 100.0)}
    torch.testing.assert_close(at[1.0], torch.softmax(logits, dim=0))
    assert entropy(at[0.01]) < entropy(at[0.5]) < entropy(at[1.0]) < entropy(at[2.0]) < entropy(at[100.0])
    assert at[0.01][0] > 0.999  # the largest logit takes nearly everything
    torch.testing.assert_close(at[100.0], torch.full((4,), 0.25), atol=0.01, rtol=0)
    for T in (0.5, 1.0, 2.0, 100.0):  # the order never changes (at 0.01 the smallest round to 0)
        assert torch.equal(at[T].argsort(), logits.argsort())


def test_sample_rejects_what_it_cannot_use(vocabulary):
    model = tiny("lstm", vocabulary)
    generator = torch.Generator().manual_seed(0)
    with pytest.raises(ValueError, match="temperature must be a positive number, got 0"):
        text.sample(model, vocabulary, "the", 5, 0, generator)
    with pytest.raises(ValueError, match="prompt must have at least one character"):
        text.sample(model, vocabulary, "", 5, 1.0, generator)
    with pytest.raises(ValueError, match="prompt must use only the vocabulary's 11 characters, got 'X'"):
        text.sample(model, vocabulary, "the X", 5, 1.0, generator)
    with pytest.raises(TypeError, match="generator must be a torch.Generator"):
        text.sample(model, vocabulary, "the", 5, 1.0, 0)
    with pytest.raises(TypeError, match="logits must be a floating-point tensor"):
        text.probabilities_at_temperature(torch.tensor([1, 2]), 1.0)
