"""The characters a model can read and write, and the integer id of each."""

from __future__ import annotations

from collections.abc import Sequence

import torch


class Vocabulary:
    """The sorted distinct characters of a text; a character's id is its place in that order.

    A model reads and predicts ids, not characters: :meth:`encode` turns a string into a tensor of
    ids and :meth:`decode` turns ids back into the string. Build the vocabulary from the whole text
    (training and validation), so that a validation character unseen in training still has an id
    and the model's softmax runs over the same alphabet on both.

    Example:
        >>> vocabulary = Vocabulary("hello")
        >>> vocabulary.characters, len(vocabulary)
        ('ehlo', 4)
        >>> vocabulary.encode("hole")
        tensor([1, 3, 2, 0])
        >>> vocabulary.decode(vocabulary.encode("hole"))
        'hole'
    """

    def __init__(self, text: str) -> None:
        if not isinstance(text, str):
            raise TypeError(f"text must be a non-empty str, got {type(text).__name__}")
        if not text:
            raise ValueError("text must be a non-empty str, got ''")
        self.characters = "".join(sorted(set(text)))
        self._ids = {character: i for i, character in enumerate(self.characters)}

    def __len__(self) -> int:
        return len(self.characters)

    def __repr__(self) -> str:
        return f"Vocabulary({len(self)} characters: {self.characters!r})"

    def encode(self, text: str) -> torch.Tensor:
        """The ids of ``text``'s characters, a LongTensor of shape ``(len(text),)`` (see :meth:`check`)."""
        text = self.check("text", text)
        return torch.tensor([self._ids[character] for character in text], dtype=torch.long)

    def check(self, name: str, text: object) -> str:
        """Return ``text`` if it is a str of the vocabulary's characters; else raise, naming ``name``.

        An unknown character raises ``ValueError`` naming it and where it first occurs.
        """
        if not isinstance(text, str):
            raise TypeError(f"{name} must be a str, got {type(text).__name__}")
        unknown = set(text) - self._ids.keys()
        if unknown:
            first = min(text.index(character) for character in unknown)
            raise ValueError(
                f"{name} must use only the vocabulary's {len(self)} characters, got {text[first]!r} at "
                f"position {first} (all unknown: {sorted(unknown)})"
            )
        return text

    def decode(self, ids: torch.Tensor | Sequence[int]) -> str:
        """The string whose ids are ``ids`` (a 1-D integer tensor or a sequence of ints)."""
        ids = torch.as_tensor(ids)
        if ids.dim() != 1 or ids.is_floating_point() or ids.is_complex() or ids.dtype == torch.bool:
            raise TypeError(f"ids must be a 1-D tensor or sequence of integers, got {ids.dim()}-D {ids.dtype}")
        if len(ids) and not 0 <= int(ids.min()) <= int(ids.max()) < len(self):
            raise ValueError(
                f"ids must lie in [0, {len(self) - 1}], got values from {int(ids.min())} to {int(ids.max())}"
            )
        return "".join(self.characters[i] for i in ids.tolist())
