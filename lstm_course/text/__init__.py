"""Text for a character-level language model: the book, its characters, its batches and its scores.

- :mod:`~lstm_course.text.corpus`: *The Adventures of Sherlock Holmes*, shipped with the package,
  and its fixed split (the last tenth held out for validation);
- :mod:`~lstm_course.text.vocabulary`: the characters and their integer ids;
- :mod:`~lstm_course.text.streams`: parallel streams read in chunks, for truncated
  back-propagation through time;
- :mod:`~lstm_course.text.ngrams`: character n-gram baselines with add-alpha smoothing;
- :mod:`~lstm_course.text.bits`: bits per character, the score of a model on a text.

Example:
    >>> from lstm_course import text
    >>> book = text.load_sherlock_holmes()
    >>> vocabulary = text.Vocabulary(book)
    >>> train, validation = text.split(book)
    >>> len(vocabulary), len(train), len(validation)
    (77, 506098, 56233)
    >>> batches = text.Streams(vocabulary.encode(train), batch_size=64, chunk_length=100)
    >>> len(batches)
    80
"""

from .bits import CharacterModel, bits_per_character, cross_entropy_in_bits
from .corpus import SHERLOCK_HOLMES_SHA256, Split, load_sherlock_holmes, split
from .ngrams import NGramModel
from .streams import Streams
from .vocabulary import Vocabulary

__all__ = [
    "CharacterModel",
    "NGramModel",
    "SHERLOCK_HOLMES_SHA256",
    "Split",
    "Streams",
    "Vocabulary",
    "bits_per_character",
    "cross_entropy_in_bits",
    "load_sherlock_holmes",
    "split",
]
