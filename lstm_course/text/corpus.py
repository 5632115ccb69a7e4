"""The book the language model reads, and its fixed split into training and validation text.

The text ships inside the package (``lstm_course/data``, whose README gives its source and licence):
*The Adventures of Sherlock Holmes*, Project Gutenberg eBook #1661 without the Project Gutenberg
header, footer and licence.
"""

from __future__ import annotations

from importlib import resources
from typing import NamedTuple

SHERLOCK_HOLMES_FILE = "the-adventures-of-sherlock-holmes.txt"
"""The file's name in ``lstm_course/data``."""

SHERLOCK_HOLMES_SHA256 = "369b44ac9865a7dd3c06eb27212002653a7ae92422aaeb5f8b15fe9f429fbf8e"
"""The sha256 of the shipped file: the course's numbers were measured on exactly this text."""


class Split(NamedTuple):
    """A text cut in two: the ``train`` text, and the ``validation`` text that follows it."""

    train: str
    validation: str


def load_sherlock_holmes() -> str:
    """The full text of *The Adventures of Sherlock Holmes*: 562,331 characters, lines ending in ``\\n``."""
    path = resources.files("lstm_course") / "data" / SHERLOCK_HOLMES_FILE
    return path.read_text(encoding="ascii")


def split(text: str) -> Split:
    """Hold out the last tenth of ``text`` (``len(text) // 10`` characters) for validation.

    The split is contiguous, not a random tenth of the lines, because the lines of a book are not
    independent draws: a sentence runs on over several lines, and a name or a phrase recurs within
    a story. With random lines held out, the training text would hold the other half of nearly
    every validation sentence, and the validation score would reward remembering the book rather
    than modelling English. Held out at the end, the validation text is mostly a story the model has
    never read. A contiguous text is also what a recurrent model reads: one long stream (see
    :class:`~lstm_course.text.Streams`).

    Example:
        >>> split("abcdefghijklmnopqrst")
        Split(train='abcdefghijklmnopqr', validation='st')
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}")
    if len(text) < 10:
        raise ValueError(f"text must have at least 10 characters for a tenth to be held out, got {len(text)}")
    cut = len(text) - len(text) // 10
    return Split(train=text[:cut], validation=text[cut:])
