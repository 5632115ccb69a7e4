"""How fast is a training step of the course's scratch models, next to PyTorch's own?

    python benchmarks/speed.py

Times one training step (forward, loss, backward) at two sizes, with 2 threads, and prints the
median of repeated runs and each model's ratio to ``torch.nn.LSTM``. The models compared:

- ``torch.nn.LSTM`` / ``torch.nn.RNN``: PyTorch's, which run the whole sequence in one call;
- ``lstm_course.LSTM`` / ``RNN``: ours, a Python loop with one fused matrix product per step;
- a textbook LSTM: the same math with a separate pair of matrix products per gate per step,
  as most tutorials write it.

Then it times a sweep over seeds as the chapters run one, with one thread: four RNN predictors
on delayed recall at lag 40, trained one after the other with ``training.train`` and together
with ``training.train_together``.

This prints figures; it checks nothing, because timings depend on the machine.
"""

from __future__ import annotations

import os
import statistics
import time

import torch
from torch import nn

from lstm_course import LSTM, RNN, Predictor, tasks, training
from lstm_course.speed import TextbookLSTM, median_step_seconds

SIZES = [(32, 100, 1, 64), (32, 200, 64, 128)]
"""(batch, time steps, input features, hidden units)."""


def main(repeats: int = 30) -> None:
    torch.set_num_threads(2)
    torch.manual_seed(0)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, median of {repeats} training steps\n")
    for B, T, I, H in SIZES:
        x = torch.randn(B, T, I)
        models = {
            "torch.nn.LSTM": nn.LSTM(I, H, batch_first=True),
            "lstm_course.LSTM": LSTM(I, H),
            "textbook LSTM": TextbookLSTM(I, H),
            "torch.nn.RNN": nn.RNN(I, H, batch_first=True),
            "lstm_course.RNN": RNN(I, H),
        }
        seconds = {name: median_step_seconds(model, x, repeats) for name, model in models.items()}
        print(f"B={B}, T={T}, I={I}, H={H}")
        print(f"  {'model':<18} {'ms/step':>8} {'vs torch.nn.LSTM':>17} {'vs torch.nn.RNN':>16}")
        for name, value in seconds.items():
            versus_lstm = value / seconds["torch.nn.LSTM"]
            versus_rnn = value / seconds["torch.nn.RNN"]
            print(f"  {name:<18} {value * 1e3:8.2f} {versus_lstm:16.2f}x {versus_rnn:15.2f}x")
        speedup = seconds["textbook LSTM"] / seconds["lstm_course.LSTM"]
        print(f"  lstm_course.LSTM is {speedup:.2f}x faster than the textbook LSTM\n")


def seed_sweep_seconds(steps: int = 100, repeats: int = 3) -> dict[str, float]:
    """The median time, in seconds, of training four RNN predictors alone and together."""
    task, seeds = tasks.DelayedRecall(lag=40), [0, 1, 2, 3]

    def alone() -> None:
        for seed in seeds:
            training.train(Predictor.rnn(task, seed), task, steps=steps, seed=seed)

    def together() -> None:
        training.train_together([Predictor.rnn(task, seed) for seed in seeds], task, steps=steps, seeds=seeds)

    timings = {}
    for name, run in [("one at a time", alone), ("together", together)]:
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            run()
            times.append(time.perf_counter() - start)
        timings[name] = statistics.median(times)
    return timings


def print_seed_sweep() -> None:
    training.make_reproducible(seed=0)  # one thread, as the chapters run
    steps = 100
    seconds = seed_sweep_seconds(steps)
    print(f"4 RNN predictors, delayed recall at lag 40, {steps} training steps each, 1 thread")
    for name, value in seconds.items():
        print(f"  {name:<14} {value:6.2f} s")
    print(f"  together is {seconds['one at a time'] / seconds['together']:.2f}x faster")


if __name__ == "__main__":
    os.environ.setdefault("LSTM_COURSE_PROGRESS", "0")
    main()
    print_seed_sweep()
