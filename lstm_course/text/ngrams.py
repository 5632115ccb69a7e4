"""Character n-gram models: the baselines a recurrent language model has to beat, counted in seconds."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence

import torch

from ..validation import check_positions, check_positive_int, check_positive_number
from .vocabulary import Vocabulary


class NGramModel:
    """A character n-gram model: the next character's probability given the last ``order - 1`` characters.

    It counts, in the training text, how often each string of ``order`` characters occurs. With
    :math:`u` the context (the last :math:`n - 1` characters, empty for the unigram model of order 1),
    :math:`n(uc)` the count of :math:`u` followed by the character :math:`c` and
    :math:`n(u) = \\sum_c n(uc)`, add-:math:`\\alpha` smoothing gives

    .. math::

        p(c \\mid u) = \\frac{n(uc) + \\alpha}{n(u) + \\alpha V},

    which sums to 1 over the :math:`V` characters of the vocabulary, and gives a character never
    seen after :math:`u` a small probability instead of zero (one zero on the validation text
    would make its bits per character infinite). A context never seen in training gets the uniform
    :math:`1/V`. A longer context predicts better where it recurs in the training text, but more of
    the contexts met in new text are rare in it or absent: on the book's validation text, 9% of the
    5-character contexts never occur in the training text and get the uniform guess (6.27 bits), so
    order 6 scores worse than orders 4 and 5.

    Example:
        >>> model = NGramModel("abab", Vocabulary("ab"), order=2, alpha=1.0)
        >>> model.probability("a", "b")  # n(ab) = 2 and n(a) = 2: (2 + 1) / (2 + 1 * 2)
        0.75
    """

    def __init__(self, train: str, vocabulary: Vocabulary, order: int, alpha: float = 0.05) -> None:
        if not isinstance(vocabulary, Vocabulary):
            raise TypeError(f"vocabulary must be a Vocabulary, got {type(vocabulary).__name__}")
        self.vocabulary = vocabulary
        self.order = check_positive_int("order", order)
        self.alpha = check_positive_number("alpha", alpha)
        train = vocabulary.check("train", train)
        if len(train) < order:
            raise ValueError(f"train must have at least order = {order} characters, got {len(train)}")
        self.counts = Counter(train[i : i + order] for i in range(len(train) - order + 1))
        self.context_counts: Counter[str] = Counter()
        for string, count in self.counts.items():
            self.context_counts[string[:-1]] += count

    def probability(self, context: str, character: str) -> float:
        """:math:`p(c \\mid u)` for ``character`` :math:`c` after ``context``.

        Only the last ``order - 1`` characters of ``context``, :math:`u`, count.
        """
        context = self.vocabulary.check("context", context)
        character = self.vocabulary.check("character", character)
        if len(context) < self.order - 1 or len(character) != 1:
            raise ValueError(
                f"context must have at least order - 1 = {self.order - 1} characters and character "
                f"exactly 1, got {len(context)} and {len(character)}"
            )
        return self._probability(context[len(context) - self.order + 1 :] + character)

    def bits_per_character(self, text: str) -> float:
        """The mean of :math:`-\\log_2 p(c \\mid u)` over ``text``'s characters that have a full context.

        The first ``order - 1`` characters of ``text`` only serve as context: for the book's
        validation text that is at most a few characters out of tens of thousands, far below the
        second decimal of the result.
        """
        text = self.vocabulary.check("text", text)
        if len(text) < self.order:
            raise ValueError(f"text must have at least order = {self.order} characters, got {len(text)}")
        strings = [text[i : i + self.order] for i in range(len(text) - self.order + 1)]
        return -sum(math.log2(self._probability(string)) for string in strings) / len(strings)

    def bits_at(self, text: str, positions: torch.Tensor | Sequence[int]) -> torch.Tensor:
        """:math:`-\\log_2 p(c \\mid u)` for the character ``text[t]`` after its context, for each ``t`` in ``positions``.

        A float64 tensor ``(P,)`` in the order of ``positions``, to set beside a network's bits on the
        same characters (:func:`~lstm_course.text.bits_by_context`). Each ``t`` needs its full context,
        so ``t >= order - 1``; the mean over every such ``t`` is :meth:`bits_per_character`.
        """
        text = self.vocabulary.check("text", text)
        positions = check_positions(
            positions, self.order - 1, len(text), f"each character needs its order - 1 = {self.order - 1} before it"
        )
        strings = [text[t - self.order + 1 : t + 1] for t in positions.tolist()]
        return torch.tensor([-math.log2(self._probability(string)) for string in strings], dtype=torch.float64)

    def _probability(self, string: str) -> float:
        """:math:`p(c \\mid u)` for the ``order`` characters ``string`` = :math:`uc`."""
        numerator = self.counts[string] + self.alpha
        return numerator / (self.context_counts[string[:-1]] + self.alpha * len(self.vocabulary))

    def __repr__(self) -> str:
        distinct = f"{len(self.counts)} distinct {self.order}-grams"
        return f"NGramModel(order={self.order}, alpha={self.alpha}, {distinct})"
