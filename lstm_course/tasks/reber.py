"""Predict the next symbol of the embedded Reber grammar: the task of chapter 6's second half."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from typing import NamedTuple

import torch
from torch.nn import functional as F

from ..validation import check_length, check_positive_int
from .task import SymbolTask

SYMBOLS = "BTPSXVE"
"""The grammar's seven symbols, in the order of the one-hot inputs and of the predictions."""

_REBER_GRAPH = {  # node: the two (symbol, next node) choices, each taken with probability 1/2
    0: (("T", 1), ("P", 2)),
    1: (("S", 1), ("X", 3)),
    2: (("T", 2), ("V", 4)),
    3: (("X", 2), ("S", 5)),
    4: (("P", 3), ("V", 5)),
}
_REBER_END = 5  # the node from which only E follows
_LEGAL_SETS = ("", "TP", "B", "SX", "TV", "XS", "PV", "E", "T", "P")  # every set of legal next symbols
_LEGAL_ROWS = torch.tensor([[symbol in choices for symbol in SYMBOLS] for choices in _LEGAL_SETS])  # (10, 7)


class ReberTargets(NamedTuple):
    """The targets of :class:`EmbeddedReber`: the next symbol at every step, and which one needs the memory."""

    next_symbols: torch.Tensor  # (B, T), torch.long; -1 after the string's end
    memory_step: torch.Tensor  # (B,), the step whose next symbol repeats the second symbol
    legal: torch.Tensor  # (B, T, 7), bool: the symbols the grammar allows next


class EmbeddedReber(SymbolTask[ReberTargets]):
    """Predict the next symbol of strings of the embedded Reber grammar (Hochreiter and Schmidhuber 1997).

    An embedded string is ``B``, then ``T`` or ``P``, then a string of the Reber grammar (``B``, a
    walk through a small graph of ``T P S X V``, ``E``), then the same ``T`` or ``P`` again, then
    ``E``. At every step the model sees one symbol and must predict the next. Inside the grammar
    most steps offer two choices, so no model can be sure there; one prediction is certain but
    needs memory: after the inner ``E``, the next symbol repeats the second symbol of the string,
    seen many steps (and loops of the grammar) earlier.

    Scoring: the loss is the cross-entropy of every next-symbol prediction of the batch, averaged
    over the real steps (padding after a string's end is not scored). The accuracy is the fraction
    of strings whose one long-range prediction, at ``memory_step``, names the repeated symbol;
    :meth:`grammar_accuracy` scores the other steps by whether the predicted symbol is one the
    grammar allows. Chance: a guess that does not look at the input is right at the long-range
    step half of the time (``T`` or ``P``), so ``chance`` is 0.5; ``chance_loss`` is the loss of
    the uniform guess over the seven symbols, ``log 7``.

    Args:
        max_length: the longest string drawn, in symbols; a longer string is drawn again (a
            string of more than 30 symbols is rarer than 1 in 100).

    Shapes:
        ``x``: ``(B, T, 7)``, the one-hot symbols of each string but the last, padded with zeros
        to the batch's longest string (``T`` at most ``max_length - 1``). The targets are a
        :class:`ReberTargets`: ``next_symbols`` ``(B, T)`` (``torch.long``, -1 where a string has
        ended), ``memory_step`` ``(B,)``, and ``legal`` ``(B, T, 7)``.

    Example:
        >>> task = EmbeddedReber()
        >>> x, targets = task.sample(2, generator=torch.Generator().manual_seed(0))
        >>> task.to_text(x[0], targets.next_symbols[0])
        'BTBPVPSETE'
        >>> x.shape[-1], task.chance
        (7, 0.5)
    """

    def __init__(self, max_length: int = 40) -> None:
        self.max_length = check_length(max_length, 9, "the length of the shortest embedded string")
        super().__init__(len(SYMBOLS), length=self.max_length - 1)
        self.chance = 0.5  # T or P at the long-range step
        self.chance_loss = math.log(len(SYMBOLS))  # the uniform guess

    def sample(self, batch_size: int, generator: torch.Generator | None = None) -> tuple[torch.Tensor, ReberTargets]:
        batch_size = check_positive_int("batch_size", batch_size)
        coin = _coin_tosser(generator, block=16 * batch_size)
        walks = [self._draw(coin) for _ in range(batch_size)]  # (symbols, legal sets)
        steps = max(len(symbols) for symbols, _ in walks) - 1
        inputs, next_symbols, legal = [], [], []
        for symbols, allowed in walks:
            indices = [SYMBOLS.index(symbol) for symbol in symbols]
            padding = steps - (len(symbols) - 1)
            inputs.append(indices[:-1] + [len(SYMBOLS)] * padding)  # index 7: the all-zero input
            next_symbols.append(indices[1:] + [-1] * padding)
            legal.append([_LEGAL_SETS.index(choices) for choices in allowed] + [0] * padding)  # 0: none
        x = F.one_hot(torch.tensor(inputs), len(SYMBOLS) + 1)[..., :-1].float()  # (B, T, 7)
        memory_step = torch.tensor([len(symbols) - 3 for symbols, _ in walks])  # input: the inner E
        return x, ReberTargets(torch.tensor(next_symbols), memory_step, _LEGAL_ROWS[torch.tensor(legal)])

    def loss(self, predictions: torch.Tensor, targets: ReberTargets) -> torch.Tensor:
        return F.cross_entropy(predictions.transpose(1, 2), targets.next_symbols, ignore_index=-1)

    def accuracy(self, predictions: torch.Tensor, targets: ReberTargets) -> float:
        rows = torch.arange(len(targets.memory_step))
        guesses = predictions[rows, targets.memory_step].argmax(dim=-1)
        return (guesses == targets.next_symbols[rows, targets.memory_step]).float().mean().item()

    def grammar_accuracy(self, predictions: torch.Tensor, targets: ReberTargets) -> float:
        """The fraction of the real steps, the long-range one aside, at which the predicted symbol is a legal next one."""
        guesses = predictions.argmax(dim=-1, keepdim=True)  # (B, T, 1)
        right = targets.legal.gather(-1, guesses).squeeze(-1)  # (B, T)
        scored = targets.next_symbols >= 0
        scored[torch.arange(len(scored)), targets.memory_step] = False
        return right[scored].float().mean().item()

    @staticmethod
    def to_text(x: torch.Tensor, next_symbols: torch.Tensor) -> str:
        """One string as letters, from its inputs ``(T, 7)`` and next symbols ``(T,)``."""
        length = int((next_symbols >= 0).sum())
        first = x[0].argmax().item()
        return SYMBOLS[first] + "".join(SYMBOLS[i] for i in next_symbols[:length].tolist())

    def _draw(self, coin: Callable[[], int]) -> tuple[str, list[str]]:
        """One embedded string no longer than ``max_length``, and the symbols allowed after each of its prefixes."""
        while True:
            symbols, allowed = _embedded_walk(coin)
            if len(symbols) <= self.max_length:
                return symbols, allowed

    def __repr__(self) -> str:
        return f"EmbeddedReber(max_length={self.max_length})"


def _coin_tosser(generator: torch.Generator | None, block: int) -> Callable[[], int]:
    """A function that returns a fair 0 or 1 at each call, drawn from ``generator`` ``block`` at a time."""
    tosses: Iterator[int] = iter(())

    def coin() -> int:
        nonlocal tosses
        toss = next(tosses, None)
        if toss is None:
            tosses = iter(torch.randint(2, (block,), generator=generator).tolist())
            toss = next(tosses)
        return toss

    return coin


def _embedded_walk(coin: Callable[[], int]) -> tuple[str, list[str]]:
    """A walk through the embedded grammar: its symbols, and the symbols allowed after each prefix."""
    branch = "TP"[coin()]
    symbols, allowed = "B" + branch + "B", ["TP", "B", "TP"]
    node = 0
    while node != _REBER_END:
        symbol, node = _REBER_GRAPH[node][coin()]
        symbols += symbol
        allowed.append("E" if node == _REBER_END else "".join(choice for choice, _ in _REBER_GRAPH[node]))
    symbols += "E" + branch + "E"
    allowed += [branch, "E"]  # after the inner E: the repeated branch; after that: E
    return symbols, allowed
