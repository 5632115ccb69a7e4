"""Chapter 8's conclusions, rerun with seeds the chapter does not use.

The chapter trains with seed 0 and checks its claims in hidden cells. Here the same networks are
trained with other seeds (an LSTM of 128 units at Adam 1e-2 and an RNN of 254 units at 3e-3, as
many weights; embeddings of 32; 600 steps of 32 streams by 100 characters, clipping at 1), and
the same conclusions must hold:

- both beat the best n-gram, the LSTM by more than 0.05 bits per character and the RNN by more than
  0.02; at the first checkpoint (step 100) the LSTM is ahead by more than 0.1; at the end the two are
  within 0.1 of each other, either way round, and the gap is less than half of the first one; both
  are still improving over the last 100 steps;
- with the state reset at every chunk, the first 10 positions cost more than 0.3 bits more than with
  it carried; from position 51 on the two agree to 0.02, and carried, a chunk's first 10 positions
  are within 0.1 of its last 50;
- the LSTM's loss falls from 2 to 10 characters of context, from a zero state and from a state left
  by text from elsewhere; from 20 characters on it is within 0.03 of its loss with the whole past;
  the two starts agree to 0.05 from 10 characters on; with 1 or 2 characters the n-gram does better,
  from either start, and than the RNN; the RNN's loss, too, is within 0.03 of its loss with the
  whole past from 20 characters on;
- the share of sampled words that occur in the book falls as the temperature rises, from more than
  half at T = 0.5 to less than half at T = 1.5;
- one unit follows the first line of a paragraph (|r| > 0.5, the untrained network's best below
  0.3), and a probe of all units reads it better than the untrained network's probe and than the
  commoner answer; nothing follows quotations (no unit reaches |r| = 0.4, and the probe does not beat
  the commoner answer by 0.02); a probe reads the position in the paragraph better than the untrained
  network's probe, but how closely the best single unit follows it varies widely between seeds (its
  |r| spans more than 0.3); in most runs no unit follows the position in the line (|r| above 0.7);
- after "Sherlock Holme" the most likely character is "s", drawn more often the lower the
  temperature (the temperature exercise);
- trained with chunks of 2 characters (the last exercise; on half the claim seeds, to keep the
  test's time in bounds), the LSTM ends within 0.1 bits of the one trained with chunks of 100, and
  its loss still falls by more than half a bit from 2 to 10 characters of context, from either
  start.
"""

import numpy as np
import pytest
import torch

from lstm_course import text

STEPS, BATCH, CHUNK = 600, 32, 100
CONTEXTS = [1, 2, 3, 5, 10, 20, 50, 100]
N_SEARCHED = 12_000


@pytest.fixture(scope="module")
def corpus():
    """The book's training and held-out text, their ids, the vocabulary and the best n-gram's bits."""
    book = text.load_sherlock_holmes()
    vocabulary = text.Vocabulary(book)
    train, validation = text.split(book)
    ngram_bits = {order: text.NGramModel(train, vocabulary, order).bits_per_character(validation)
                  for order in (4, 5)}
    scored = torch.randperm(len(validation) - 101, generator=torch.Generator().manual_seed(0))[:1000] + 101
    ngram_context = {order - 1: text.NGramModel(train, vocabulary, order).bits_at(validation, scored).mean().item()
                     for order in (2, 3)}
    return {"vocabulary": vocabulary, "train": train, "validation": validation,
            "train_ids": vocabulary.encode(train), "validation_ids": vocabulary.encode(validation),
            "best_ngram": min(ngram_bits.values()), "scored": scored, "ngram_context": ngram_context,
            "features": text.line_features(validation[:N_SEARCHED])}


def bits_by_context(model, corpus, warm_up):
    """Context length -> mean bits on the 1000 scored held-out characters."""
    curve = text.bits_by_context(model, corpus["validation_ids"], corpus["scored"], CONTEXTS, warm_up=warm_up)
    return {n: bits.mean().item() for n, bits in curve.items()}


def run_seed(seed, corpus):
    """Everything the chapter measures, for one seed."""
    V, ids = len(corpus["vocabulary"]), corpus["validation_ids"]
    models = {"LSTM": text.CharModel.lstm(V, hidden_size=128, seed=seed),
              "RNN": text.CharModel.rnn(V, hidden_size=254, seed=seed)}
    streams = text.Streams(ids, batch_size=16, chunk_length=CHUNK)
    result = {"curves": {}, "held_out": {}}
    for name, lr in (("LSTM", 1e-2), ("RNN", 3e-3)):
        history = text.train_truncated(models[name], corpus["train_ids"], STEPS, batch_size=BATCH,
                                       chunk_length=CHUNK, lr=lr, validation=streams, every=100)
        result["curves"][name] = np.array(history.validation)
        result["held_out"][name] = text.bits_per_character(models[name], ids)
    lstm = models["LSTM"]
    by_position = {}
    for carried in (True, False):
        bits = text.bits_along_stream(lstm, ids, CHUNK, reset=not carried)
        by_position[carried] = bits[: len(bits) // CHUNK * CHUNK].view(-1, CHUNK).mean(dim=0)
    result["by_position"] = by_position
    result["context"] = {"zero": bits_by_context(lstm, corpus, 0), "warm": bits_by_context(lstm, corpus, 100),
                         "rnn": bits_by_context(models["RNN"], corpus, 0)}
    result["context"]["all"] = text.bits_along_stream(lstm, ids)[corpus["scored"] - 1].mean().item()
    result["context"]["rnn all"] = text.bits_along_stream(models["RNN"], ids)[corpus["scored"] - 1].mean().item()
    words_in_book = set(corpus["train"].split())
    result["real_words"] = {}
    for temperature in (0.5, 1.0, 1.5):
        written = text.sample(lstm, corpus["vocabulary"], "\n\n", 300, temperature, torch.Generator().manual_seed(0))
        words = written.split()
        result["real_words"][temperature] = sum(w in words_in_book for w in words) / len(words)
    searched = ids[:N_SEARCHED]
    result["search"] = {"trained": text.search_cells(lstm, searched, corpus["features"]),
                        "untrained": text.search_cells(text.CharModel.lstm(V, hidden_size=128, seed=seed), searched,
                                                       corpus["features"])}
    with torch.no_grad():
        logits = lstm(corpus["vocabulary"].encode("Sherlock Holme")[None], None)[0][0, -1]
    s_id = corpus["vocabulary"].encode("s")[0].item()
    result["most_likely_after_holme"] = logits.argmax().item() == s_id
    result["s_draws"] = {}
    for temperature in (0.5, 1.0, 2.0):
        p = torch.softmax(logits / temperature, dim=-1)
        draws = torch.multinomial(p, 1000, replacement=True, generator=torch.Generator().manual_seed(0))
        result["s_draws"][temperature] = (draws == s_id).sum().item()
    return result


@pytest.fixture(scope="module")
def runs(seeds, corpus):
    """seed -> what the chapter measures with that seed."""
    return {seed: run_seed(seed, corpus) for seed in seeds}


def short_chunk_seeds(seeds):
    """The first half of the claim seeds: the k = 2 exercise trains one more network per seed."""
    return seeds[: max(1, len(seeds) // 2)]


@pytest.fixture(scope="module")
def short_chunks(seeds, corpus, runs):
    """seed -> held-out bits of the LSTM trained with chunks of 2, and its context curves from both starts."""
    found = {}
    for seed in short_chunk_seeds(seeds):
        model = text.CharModel.lstm(len(corpus["vocabulary"]), hidden_size=128, seed=seed)
        text.train_truncated(model, corpus["train_ids"], STEPS, batch_size=1600, chunk_length=2, lr=1e-2)
        found[seed] = {"held_out": text.bits_per_character(model, corpus["validation_ids"]),
                       "zero": bits_by_context(model, corpus, 0), "warm": bits_by_context(model, corpus, 100)}
    return found


def test_both_networks_beat_the_best_ngram_and_the_lstm_leads_early_then_the_rnn_catches_up(
        runs, corpus, seed, record_property):
    run = runs[seed]
    lstm, rnn = run["curves"]["LSTM"], run["curves"]["RNN"]
    record_property("held-out bits LSTM, RNN; best n-gram", (run["held_out"], corpus["best_ngram"]))
    record_property("validation curves LSTM, RNN", (lstm.tolist(), rnn.tolist()))
    assert run["held_out"]["LSTM"] < corpus["best_ngram"] - 0.05
    assert run["held_out"]["RNN"] < corpus["best_ngram"] - 0.02
    assert rnn[0] - lstm[0] > 0.1
    assert abs(rnn[-1] - lstm[-1]) < 0.1
    assert rnn[0] - lstm[0] > 2 * abs(rnn[-1] - lstm[-1])
    assert lstm[-1] < lstm[-2] and rnn[-1] < rnn[-2]  # both still improving


def test_a_state_reset_at_every_chunk_costs_bits_on_the_first_characters_only(runs, seed, record_property):
    carried, reset = runs[seed]["by_position"][True], runs[seed]["by_position"][False]
    first_reset, first_carried = reset[:10].mean().item(), carried[:10].mean().item()
    late_gap = (reset[50:] - carried[50:]).abs().max().item()
    record_property("first 10 reset, carried; largest gap from 51; carried 51-100",
                    (first_reset, first_carried, late_gap, carried[50:].mean().item()))
    assert first_reset > first_carried + 0.3
    assert late_gap < 0.02
    assert abs(first_carried - carried[50:].mean().item()) < 0.1


def test_the_lstm_uses_about_ten_to_twenty_characters_of_context(runs, corpus, seed, record_property):
    context = runs[seed]["context"]
    record_property("context curves (zero start, warm start, whole past)", context)
    for curve in (context["zero"], context["warm"]):
        assert curve[2] > curve[3] > curve[5] > curve[10] + 0.1
        assert all(abs(curve[n] - context["all"]) < 0.03 for n in (20, 50, 100))
    assert all(abs(context["zero"][n] - context["warm"][n]) < 0.05 for n in (10, 20, 50, 100))
    for curve in (context["zero"], context["warm"]):
        assert corpus["ngram_context"][1] < curve[1] and corpus["ngram_context"][2] < curve[2]


def test_the_rnn_too_uses_no_more_than_twenty_characters_of_context(runs, corpus, seed, record_property):
    context = runs[seed]["context"]
    record_property("RNN context curve (zero start) and whole past", (context["rnn"], context["rnn all"]))
    assert all(abs(context["rnn"][n] - context["rnn all"]) < 0.03 for n in (20, 50, 100))
    assert corpus["ngram_context"][1] < context["rnn"][1] and corpus["ngram_context"][2] < context["rnn"][2]


def test_fewer_sampled_words_occur_in_the_book_the_higher_the_temperature(runs, seed, record_property):
    share = runs[seed]["real_words"]
    record_property("share of real words at T = 0.5, 1, 1.5", share)
    assert share[0.5] > share[1.0] > share[1.5]
    assert share[0.5] > 0.5 > share[1.5]


def test_one_unit_follows_the_first_line_and_none_follows_quotations(runs, seed, record_property):
    trained, untrained = runs[seed]["search"]["trained"], runs[seed]["search"]["untrained"]
    record_property("trained search", {k: vars(v) for k, v in trained.items()})
    record_property("untrained search", {k: vars(v) for k, v in untrained.items()})
    first_line = trained["first_line"]
    assert abs(first_line.correlation) > 0.5 > 0.3 > abs(untrained["first_line"].correlation)
    assert first_line.probe > untrained["first_line"].probe
    assert first_line.probe > first_line.baseline + 0.05
    quotation = trained["inside_quotation"]
    assert abs(quotation.correlation) < 0.4
    assert quotation.probe < quotation.baseline + 0.02
    paragraph = trained["position_in_paragraph"]
    assert paragraph.probe > untrained["position_in_paragraph"].probe + 0.05


def test_how_closely_one_unit_follows_the_position_in_the_paragraph_varies_widely(runs, seeds, record_property):
    best = [abs(runs[seed]["search"]["trained"]["position_in_paragraph"].correlation) for seed in seeds]
    record_property("best |r| with the position in the paragraph, by seed", best)
    assert max(best) - min(best) > 0.3, best


def test_in_most_runs_no_unit_follows_the_position_in_the_line(runs, seeds, record_property):
    best = [abs(runs[seed]["search"]["trained"]["position_in_line"].correlation) for seed in seeds]
    record_property("best |r| with the position in the line, by seed", best)
    assert sum(r > 0.7 for r in best) < 0.5 * len(seeds), best


def test_after_sherlock_holme_s_is_likeliest_and_drawn_more_often_at_lower_temperature(runs, seed, record_property):
    run = runs[seed]
    record_property("s drawn in 1000 at T = 0.5, 1, 2", run["s_draws"])
    assert run["most_likely_after_holme"]
    assert run["s_draws"][0.5] >= run["s_draws"][1.0] > run["s_draws"][2.0]


def test_chunks_of_two_characters_cost_little_and_the_network_still_uses_ten_characters(
        short_chunks, runs, record_property):
    record_property("k = 2: held-out bits and context curves", short_chunks)
    record_property("k = 100: held-out bits", {seed: runs[seed]["held_out"]["LSTM"] for seed in short_chunks})
    for seed, found in short_chunks.items():
        assert found["held_out"] < runs[seed]["held_out"]["LSTM"] + 0.1, seed
        for start in ("zero", "warm"):
            assert found[start][2] - found[start][10] > 0.5, (seed, start)
