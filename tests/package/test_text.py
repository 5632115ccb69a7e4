"""The text of chapter 8: the shipped book and its split, the vocabulary, the streams of truncated
back-propagation through time, the n-gram baselines and the bits-per-character score."""

import doctest
import hashlib
import math
from importlib import resources

import pytest
import torch
from torch import nn
from torch.nn import functional as F

from lstm_course import text
from lstm_course.text import corpus, ngrams, streams, vocabulary


@pytest.fixture(scope="module")
def book():
    return text.load_sherlock_holmes()


@pytest.fixture(scope="module")
def book_vocabulary(book):
    return text.Vocabulary(book)


@pytest.mark.parametrize("module", [text, corpus, ngrams, streams, vocabulary], ids=lambda m: m.__name__)
def test_the_docstring_examples_run(module):
    assert doctest.testmod(module, raise_on_error=True).attempted > 0


# The book and its split

def test_the_shipped_book_is_the_file_whose_provenance_the_data_readme_gives(book):
    data = resources.files("lstm_course") / "data"
    shipped = (data / corpus.SHERLOCK_HOLMES_FILE).read_bytes()
    assert hashlib.sha256(shipped).hexdigest() == text.SHERLOCK_HOLMES_SHA256
    assert book.encode("ascii") == shipped
    readme = (data / "README.md").read_text()
    assert text.SHERLOCK_HOLMES_SHA256 in readme and "#1661" in readme and "public domain" in readme


def test_the_book_has_the_documented_length_and_77_characters(book, book_vocabulary):
    assert len(book) == 562_331 and book.count("\n") == 12_648
    assert len(book_vocabulary) == 77
    assert book_vocabulary.characters == "".join(sorted(set(book)))


def test_the_split_holds_out_the_last_tenth_and_the_two_parts_are_the_book(book):
    train, validation = text.split(book)
    assert (len(train), len(validation)) == (506_098, 56_233) and len(validation) == len(book) // 10
    assert train + validation == book  # contiguous, in order: no character in both, none lost
    assert set(validation) <= set(train)  # every validation character was seen in training


def test_split_rejects_what_it_cannot_cut():
    with pytest.raises(TypeError, match="text must be a str, got list"):
        text.split(["a line"] * 20)
    with pytest.raises(ValueError, match="text must have at least 10 characters .* got 9"):
        text.split("too short")


# The vocabulary

def test_encode_then_decode_gives_back_the_book(book, book_vocabulary):
    ids = book_vocabulary.encode(book)
    assert ids.dtype == torch.long and ids.shape == (len(book),)
    assert int(ids.min()) == 0 and int(ids.max()) == 76
    assert book_vocabulary.decode(ids) == book
    assert book_vocabulary.decode(ids[:5].tolist()) == book[:5]  # a list of ints decodes too


def test_ids_follow_the_sorted_characters():
    assert text.Vocabulary("cab").encode("abcab").tolist() == [0, 1, 2, 0, 1]


def test_an_unknown_character_is_named_with_its_position(book_vocabulary):
    with pytest.raises(ValueError, match=r"text must use only the vocabulary's 77 characters, got 'é' at position 4"):
        book_vocabulary.encode("The é")


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda v: text.Vocabulary(""), ValueError, "text must be a non-empty str, got ''"),
        (lambda v: text.Vocabulary(["a"]), TypeError, "text must be a non-empty str, got list"),
        (lambda v: v.encode(b"abc"), TypeError, "text must be a str, got bytes"),
        (lambda v: v.decode(torch.tensor([0, 2])), ValueError, r"ids must lie in \[0, 1\], got values from 0 to 2"),
        (lambda v: v.decode(torch.tensor([0.0])), TypeError, "ids must be a 1-D tensor or sequence of integers"),
        (lambda v: v.decode(torch.zeros(2, 2, dtype=torch.long)), TypeError, "got 2-D torch.int64"),
    ],
    ids=["empty-text", "a-list", "bytes", "id-out-of-range", "float-ids", "2-D-ids"],
)
def test_the_vocabulary_rejects_bad_input(call, error, message):
    with pytest.raises(error, match=message):
        call(text.Vocabulary("ab"))


# The streams of truncated back-propagation through time

def test_chunk_j_of_stream_b_continues_chunk_j_minus_1_and_the_targets_are_the_next_characters():
    ids = torch.randint(0, 50, (1_000,))
    batches = text.Streams(ids, batch_size=4, chunk_length=30)
    stream_length = 999 // 4
    chunks = list(batches)
    for b in range(4):
        read = torch.cat([inputs[b] for inputs, _ in chunks])  # stream b, chunk after chunk
        expected = ids[b * stream_length : (b + 1) * stream_length + 1]
        assert torch.equal(read, expected[:-1])
        assert torch.equal(torch.cat([targets[b] for _, targets in chunks]), expected[1:])
    for (_, previous_targets), (inputs, _) in zip(chunks, chunks[1:]):
        assert torch.equal(inputs[:, 0], previous_targets[:, -1])  # each chunk starts where the last ended


def test_streams_have_the_documented_shapes_and_keep_the_last_short_chunk():
    batches = text.Streams(torch.arange(1_000), batch_size=4, chunk_length=30)  # L = 249 = 8 * 30 + 9
    shapes = [(tuple(inputs.shape), tuple(targets.shape)) for inputs, targets in batches]
    assert len(batches) == len(shapes) == 9
    assert shapes == [((4, 30), (4, 30))] * 8 + [((4, 9), (4, 9))]
    assert batches.inputs.shape == batches.targets.shape == (4, 249)
    assert int(batches.targets[-1, -1]) == 996  # the last 3 characters are in no stream: (1000 - 1) mod 4
    exact = text.Streams(torch.arange(1_000), batch_size=3, chunk_length=37)  # L = 333 = 9 * 37
    assert len(exact) == 9 and all(inputs.shape == (3, 37) for inputs, _ in exact)


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: text.Streams(torch.arange(10), batch_size=0, chunk_length=5), ValueError,
         "batch_size must be a positive int, got 0"),
        (lambda: text.Streams(torch.arange(10), batch_size=2, chunk_length=2.5), TypeError,
         "chunk_length must be a positive int, got float 2.5"),
        (lambda: text.Streams(torch.arange(10.0), batch_size=2, chunk_length=5), TypeError,
         "ids must be a 1-D LongTensor of character ids, got 1-D torch.float32"),
        (lambda: text.Streams("abc", batch_size=2, chunk_length=5), TypeError,
         r"ids must be a torch.Tensor of character ids \(Vocabulary.encode\), got str"),
        (lambda: text.Streams(torch.arange(4), batch_size=4, chunk_length=5), ValueError,
         "ids must hold at least 5 characters, got 4"),
    ],
    ids=["no-streams", "fractional-chunks", "float-ids", "a-string", "too-few-characters"],
)
def test_streams_reject_bad_input(call, error, message):
    with pytest.raises(error, match=message):
        call()


# The n-gram baselines

def test_a_bigram_model_gives_the_hand_computed_probabilities_and_bits():
    model = text.NGramModel("abab", text.Vocabulary("ab"), order=2, alpha=1.0)
    # n(ab) = 2, n(ba) = 1, n(bb) = 0; n(a) = 2, n(b) = 1 (as contexts); V = 2
    assert model.probability("a", "b") == pytest.approx(3 / 4)
    assert model.probability("b", "a") == pytest.approx(2 / 3)
    assert model.probability("b", "b") == pytest.approx(1 / 3)
    expected = -(math.log2(3 / 4) + math.log2(1 / 3) + math.log2(2 / 3)) / 3  # "ab", "bb", "ba"
    assert model.bits_per_character("abba") == pytest.approx(expected)


def test_a_unigram_model_counts_characters_and_smooths_the_unseen_one():
    model = text.NGramModel("aab", text.Vocabulary("abc"), order=1, alpha=0.5)
    assert [model.probability("", c) for c in "abc"] == pytest.approx([2.5 / 4.5, 1.5 / 4.5, 0.5 / 4.5])
    assert model.bits_per_character("c") == pytest.approx(math.log2(9))


def test_the_probabilities_after_any_context_sum_to_one(book, book_vocabulary):
    model = text.NGramModel(book[:20_000], book_vocabulary, order=3)
    for context in ["th", "Th", "Zq"]:  # frequent, rarer, never seen (uniform)
        total = sum(model.probability(context, c) for c in book_vocabulary.characters)
        assert total == pytest.approx(1.0)
    assert model.probability("Zq", "e") == pytest.approx(1 / 77)
    assert model.probability("Where is th", "e") == model.probability("th", "e")  # only the last 2 count


def test_the_n_gram_baselines_on_the_book_are_the_measured_ones(book, book_vocabulary):
    train, validation = text.split(book)
    models = [text.NGramModel(train, book_vocabulary, order, alpha=0.05) for order in range(1, 7)]
    scores = [model.bits_per_character(validation) for model in models]
    # deterministic counting: orders 1-6 measured 4.4675, 3.5114, 2.8022, 2.3773, 2.3769, 2.7460
    assert scores == pytest.approx([4.4675, 3.5114, 2.8022, 2.3773, 2.3769, 2.7460], abs=5e-4)
    contexts = [validation[i : i + 5] for i in range(len(validation) - 5)]
    unseen = sum(models[5].context_counts[context] == 0 for context in contexts) / len(contexts)
    assert round(unseen, 2) == 0.09  # why order 6 is worse: the NGramModel docstring


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda v: text.NGramModel("abab", v, order=0), ValueError, "order must be a positive int, got 0"),
        (lambda v: text.NGramModel("abab", v, order=2, alpha=0), ValueError, "alpha must be a positive number, got 0"),
        (lambda v: text.NGramModel("abab", "ab", order=2), TypeError, "vocabulary must be a Vocabulary, got str"),
        (lambda v: text.NGramModel("abcd", v, order=2), ValueError, "train must use only .* got 'c' at position 2"),
        (lambda v: text.NGramModel("ab", v, order=3), ValueError, "train must have at least order = 3 characters, got 2"),
        (lambda v: text.NGramModel("abab", v, order=3).probability("a", "b"), ValueError,
         "context must have at least order - 1 = 2 characters and character exactly 1, got 1 and 1"),
        (lambda v: text.NGramModel("abab", v, order=3).bits_per_character("ab"), ValueError,
         "text must have at least order = 3 characters, got 2"),
    ],
    ids=["order-0", "alpha-0", "vocabulary-a-string", "unknown-character", "train-too-short",
         "context-too-short", "text-too-short"],
)
def test_n_gram_models_reject_bad_input(call, error, message):
    with pytest.raises(error, match=message):
        call(text.Vocabulary("ab"))


# Bits per character

class CharacterLSTM(nn.Module):
    """A small character model with the interface bits_per_character expects: (inputs, state) -> (logits, state)."""

    def __init__(self, vocabulary_size):
        super().__init__()
        self.embedding = nn.Embedding(vocabulary_size, 8)
        self.lstm = nn.LSTM(8, 16, batch_first=True)
        self.readout = nn.Linear(16, vocabulary_size)

    def forward(self, inputs, state=None):
        hidden, state = self.lstm(self.embedding(inputs), state)
        return self.readout(hidden), state


class Uniform(nn.Module):
    """Gives every one of ``vocabulary_size`` characters the same probability."""

    def __init__(self, vocabulary_size):
        super().__init__()
        self.vocabulary_size = vocabulary_size

    def forward(self, inputs, state=None):
        return torch.zeros(*inputs.shape, self.vocabulary_size), state


def test_cross_entropy_in_bits_is_pytorchs_cross_entropy_divided_by_ln_2():
    logits, targets = torch.randn(3, 5, 7, requires_grad=True), torch.randint(0, 7, (3, 5))
    in_bits = text.cross_entropy_in_bits(logits, targets)
    assert in_bits.item() == pytest.approx(F.cross_entropy(logits.reshape(15, 7), targets.flatten()).item() / math.log(2))
    in_bits.backward()  # usable as a training loss
    assert logits.grad is not None


def test_a_uniform_model_scores_log2_of_the_vocabulary_size(book, book_vocabulary):
    ids = book_vocabulary.encode(book[:1_000])
    assert text.bits_per_character(Uniform(77), ids) == pytest.approx(math.log2(77))


def test_bits_per_character_carries_the_state_so_chunks_score_like_one_pass(book_vocabulary, book):
    torch.manual_seed(0)
    model = CharacterLSTM(77)
    ids = book_vocabulary.encode(book[:2_001])
    with torch.no_grad():
        logits, _ = model(ids[None, :-1])  # the whole text in one pass: (1, 2000, 77)
        one_pass = F.cross_entropy(logits[0], ids[1:]).item() / math.log(2)
    model.train()
    assert text.bits_per_character(model, ids, chunk_length=64) == pytest.approx(one_pass, rel=1e-5)
    assert text.bits_per_character(model, ids, chunk_length=2_000) == pytest.approx(one_pass, rel=1e-5)
    assert not model.training  # evaluation mode, as training.evaluate leaves a model


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: text.bits_per_character(Uniform(3), torch.arange(3), chunk_length=0), ValueError,
         "chunk_length must be a positive int, got 0"),
        (lambda: text.bits_per_character(Uniform(3), torch.arange(1), chunk_length=4), ValueError,
         "ids must hold at least 2 characters, got 1"),
        (lambda: text.cross_entropy_in_bits(torch.zeros(2, 3, 5), torch.zeros(2, 4, dtype=torch.long)), ValueError,
         r"logits must have shape \(batch, time, vocabulary\) .* \(2, 4\), got \(2, 3, 5\)"),
        (lambda: text.cross_entropy_in_bits(torch.zeros(2, 3, 5), torch.zeros(2, 3)), TypeError,
         "targets must be a LongTensor of character ids, got torch.float32"),
        (lambda: text.cross_entropy_in_bits(torch.zeros(2, 3, 5, dtype=torch.long), torch.zeros(2, 3)), TypeError,
         "logits must be a floating-point tensor"),
    ],
    ids=["chunk-length-0", "one-character", "logits-shape", "float-targets", "integer-logits"],
)
def test_bits_per_character_rejects_bad_input(call, error, message):
    with pytest.raises(error, match=message):
        call()
