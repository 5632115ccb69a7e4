"""Chapter 6's conclusions, rerun with seeds the chapter does not use.

The chapter trains with seeds 0 to 2, through each model's PyTorch copy, and checks its claims in
hidden cells. Here the same experiments run with other seeds, and the same conclusions must hold.
On cued recall (`tasks.CuedRecall`, 30 steps, 500 steps of Adam at 3e-3 with the gradient norm clipped at 1):

- the LSTM without an output gate learns the cue for all but a few seeds (at least three in four, most
  by step 300), and every seed is far above chance; the full LSTM, initialised as usual, is hit or
  miss: some seeds stay at chance, and it is behind on average;
- untrained, the output gate is about half shut; started open (b_o = 3), the full LSTM learns the
  cue for most seeds (and is far above chance for every seed), at about the pace of the LSTM
  without an output gate;
- with the output gate as usual but the forget bias at 2, every seed learns the cue (above 0.9);
- the trained output gate does not open at the cue: on the units that hold the symbol it is open
  before the cue and moves by less than 0.1 there; the same holds for the full LSTMs initialised
  as usual that learned the cue, whose gate opened in training from its half-shut start;
- started shut (b_o = -2, as in 1997), nearly every seed is still at chance after the 500 steps.

On the embedded Reber grammar (`tasks.EmbeddedReber`, LSTMs with 8 units, 1500 steps of Adam at
1e-2 with batches of 32 and clipping at 1):

- every network learns the grammar, with or without the output gate;
- most seeds learn the long-range prediction, with the output gate and without it;
- so do most seeds of the LSTM without a forget gate, with and without its output gate (the last
  exercise; run on half the claim seeds, to keep the test's time in bounds).
"""

import pytest
import torch

from lstm_course import Predictor, probes, tasks, training

STEPS = 500
VARIANTS = ("output gate", "no output gate", "started open", "forget bias 2", "started shut")


def make_model(task, variant, seed):
    """The chapter's models: 32 units; the output gate absent, as usual, started open (b_o = 3) or shut
    (b_o = -2); or forget bias 2."""
    gates = ("input", "forget") if variant == "no output gate" else ("input", "forget", "output")
    model = Predictor.lstm(task, seed, gates=gates, forget_bias=2.0 if variant == "forget bias 2" else None)
    if variant in ("started open", "started shut"):
        with torch.no_grad():
            model.core.cell.gate_rows("b", "output").fill_(3.0 if variant == "started open" else -2.0)
    return model


@pytest.fixture(scope="module")
def task():
    return tasks.CuedRecall()


@pytest.fixture(scope="module")
def held_out(task):
    return task.sample(1000, generator=torch.Generator().manual_seed(training.EVALUATION_SEED))


@pytest.fixture(scope="module")
def runs(task, seeds):
    """(variant, seed) -> trained model, held-out accuracy at the cue and steps to reach 95%."""
    trained = {}
    for variant in VARIANTS:
        for seed in seeds:
            model, history = training.train_as_torch(make_model(task, variant, seed), task, steps=STEPS, seed=seed,
                                                     clip=1.0)
            trained[variant, seed] = model, training.evaluate(model, task).accuracy, history.steps_to_reach(0.95)
    return trained


def test_without_an_output_gate_nearly_every_seed_learns_the_cue_and_the_full_lstm_often_does_not(runs, seeds,
                                                                                                 record_property):
    without = torch.tensor([runs["no output gate", seed][1] for seed in seeds])
    full = torch.tensor([runs["output gate", seed][1] for seed in seeds])
    reached = [runs["no output gate", seed][2] for seed in seeds]
    record_property("held-out accuracy at the cue without an output gate", without.tolist())
    record_property("held-out accuracy at the cue with one", full.tolist())
    record_property("steps to 95% without an output gate", reached)
    learned = [score > 0.95 and step is not None for score, step in zip(without.tolist(), reached)]
    assert sum(learned) >= 0.75 * len(seeds), (without, reached)  # all but a few, within the 500 steps
    assert (without > 0.5).all(), without  # and the others far above chance (0.25)
    assert (full < 0.35).any(), full  # some seeds stall at chance
    assert without.mean() > full.mean() + 0.1, (without, full)  # behind on average
    assert all(step is None or step >= 100 for step in reached), reached  # none before step 100
    assert sum(step is not None and step <= 300 for step in reached) > 0.5 * len(reached), reached  # most by 300


@pytest.mark.parametrize("variant", ("output gate", "no output gate", "started open", "forget bias 2"))
def test_every_model_names_the_symbols_it_sees(runs, task, held_out, variant, seeds):
    x, targets = held_out
    for seed in seeds:
        with torch.no_grad():
            assert task.echo_accuracy(runs[variant, seed][0](x), targets) > 0.99, seed


def test_the_untrained_output_gate_is_half_shut(task, seed, record_property):
    x, _ = task.sample(256, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        trace = make_model(task, "output gate", seed).core.trace(x)
    record_property("mean o", trace.gates["output"].mean().item())
    assert 0.45 < trace.gates["output"].mean().item() < 0.55


def test_started_open_the_full_lstm_learns_the_cue_at_the_same_pace(runs, seeds, record_property):
    scores = torch.tensor([runs["started open", seed][1] for seed in seeds])
    reached = [runs["started open", seed][2] for seed in seeds]
    record_property("held-out accuracy at the cue, started open", scores.tolist())
    record_property("steps to 95%, started open", reached)
    assert (scores > 0.95).float().mean() > 0.5 and (scores > 0.8).all(), scores  # most learn, all well above chance
    median = {
        variant: torch.tensor([float(runs[variant, seed][2] or STEPS) for seed in seeds]).median().item()
        for variant in ("started open", "no output gate")
    }
    assert abs(median["started open"] - median["no output gate"]) < 100, median


def test_with_forget_bias_2_and_the_output_gate_half_shut_every_seed_learns_the_cue(runs, seeds, record_property):
    scores = torch.tensor([runs["forget bias 2", seed][1] for seed in seeds])
    record_property("held-out accuracy at the cue, forget bias 2", scores.tolist())
    assert (scores > 0.9).all(), scores


def test_the_trained_output_gate_stays_open_and_does_not_move_at_the_cue(runs, task, held_out, seed, record_property):
    x, targets = held_out
    with torch.no_grad():
        trace = runs["started open", seed][0].core.trace(x)
    rows = torch.arange(len(x))
    cell = trace.cell[rows, targets.cue - 1]
    units = (probes.variance_share(cell, targets.answers[:, 0], task.n_symbols) > 0.5).nonzero().flatten()
    o = trace.gates["output"][:, :, units]
    at_cue, before = o[rows, targets.cue].mean().item(), o[rows, targets.cue - 1].mean().item()
    record_property("memory units, mean o at the cue and one step before", (len(units), at_cue, before))
    assert len(units) >= 10, len(units)
    assert before > 0.7, before
    assert abs(at_cue - before) < 0.1, (at_cue, before)


def test_started_as_usual_the_output_gate_of_the_networks_that_learned_does_not_move_at_the_cue(
        runs, task, held_out, seeds, record_property):
    x, targets = held_out
    rows = torch.arange(len(x))
    learned = [seed for seed in seeds if runs["output gate", seed][1] > 0.95]
    gates = {}
    for seed in learned:
        with torch.no_grad():
            trace = runs["output gate", seed][0].core.trace(x)
        cell = trace.cell[rows, targets.cue - 1]
        units = (probes.variance_share(cell, targets.answers[:, 0], task.n_symbols) > 0.5).nonzero().flatten()
        o = trace.gates["output"][:, :, units]
        gates[seed] = len(units), o[rows, targets.cue].mean().item(), o[rows, targets.cue - 1].mean().item()
    record_property("seeds that learned the cue, started as usual", learned)
    record_property("memory units, mean o at the cue and one step before", gates)
    if not learned:  # a frequency, not a promise: most seeds started as usual miss the cue
        pytest.skip("no network started as usual learned the cue with these seeds: nothing to look at")
    for seed, (count, at_cue, before) in gates.items():
        assert count >= 5, (seed, count)
        assert before > 0.6, (seed, before)  # opened from about 0.5 in training
        assert abs(at_cue - before) < 0.1, (seed, at_cue, before)


def test_started_shut_nearly_every_seed_is_still_at_chance(runs, seeds, record_property):
    scores = torch.tensor([runs["started shut", seed][1] for seed in seeds])
    record_property("held-out accuracy at the cue, started shut", scores.tolist())
    assert (scores < 0.35).float().mean() >= 0.875, scores


# The embedded Reber grammar: 8 units, 1500 steps of Adam at 1e-2, batches of 32, clipped at 1.

REBER_GATES = {
    "output gate": ("input", "forget", "output"),
    "no output gate": ("input", "forget"),
    "no forget gate": ("input", "output"),
    "no forget gate, no output gate": ("input",),
}
REBER_CONTROLS = ("no forget gate", "no forget gate, no output gate")


def reber_seeds(variant, seeds):
    """All the claim seeds for the chapter's two networks; the first half of them for the controls."""
    return seeds[: max(1, len(seeds) // 2)] if variant in REBER_CONTROLS else seeds


@pytest.fixture(scope="module")
def reber_runs(seeds):
    """(variant, seed) -> held-out (long-range accuracy, grammar accuracy) on the embedded Reber grammar."""
    task = tasks.EmbeddedReber()
    x, targets = task.sample(2000, generator=torch.Generator().manual_seed(training.EVALUATION_SEED))
    scores = {}
    for variant, gates in REBER_GATES.items():
        for seed in reber_seeds(variant, seeds):
            model = Predictor.lstm(task, seed, hidden_size=8, gates=gates)
            model, _ = training.train_as_torch(model, task, steps=1500, seed=seed, lr=1e-2, clip=1.0, batch_size=32)
            with torch.no_grad():
                predictions = model(x)
            scores[variant, seed] = task.accuracy(predictions, targets), task.grammar_accuracy(predictions, targets)
    return scores


def test_on_the_reber_grammar_every_network_learns_the_grammar(reber_runs, record_property):
    grammar = {f"{variant}, seed {seed}": score[1] for (variant, seed), score in reber_runs.items()}
    record_property("held-out grammar accuracy", grammar)
    assert min(grammar.values()) > 0.99, grammar


@pytest.mark.parametrize("variant", REBER_GATES)
def test_on_the_reber_grammar_most_seeds_learn_the_long_range_prediction(reber_runs, seeds, variant,
                                                                        record_property):
    long_range = torch.tensor([reber_runs[variant, seed][0] for seed in reber_seeds(variant, seeds)])
    record_property(f"held-out long-range accuracy, {variant}", long_range.tolist())
    assert (long_range > 0.99).float().mean() > 0.5, long_range
