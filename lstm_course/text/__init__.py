"""Text for a character-level language model: the book, its characters, its batches and its scores.

- :mod:`~lstm_course.text.corpus`: *The Adventures of Sherlock Holmes*, shipped with the package,
  and its fixed split (the last tenth held out for validation);
- :mod:`~lstm_course.text.vocabulary`: the characters and their integer ids;
- :mod:`~lstm_course.text.streams`: parallel streams read in chunks, for truncated
  back-propagation through time;
- :mod:`~lstm_course.text.ngrams`: character n-gram baselines with add-alpha smoothing;
- :mod:`~lstm_course.text.bits`: bits per character, the score of a model on a text, character
  by character and by how much of the past the model may read;
- :mod:`~lstm_course.text.models`: the recurrent language model, an embedding, an LSTM or RNN
  and a readout;
- :mod:`~lstm_course.text.training`: its training by truncated back-propagation through time;
- :mod:`~lstm_course.text.sampling`: writing text with it, at a temperature;
- :mod:`~lstm_course.text.features`: what a reader tracks, character by character (the line, the
  paragraph, the quotation);
- :mod:`~lstm_course.text.cell_search`: the unit that best follows such a feature, and a linear
  probe of them all;
- :mod:`~lstm_course.text.highlight`: a text coloured by a unit's state, as HTML.

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

from .bits import (
    CharacterModel,
    bits_along_stream,
    bits_by_context,
    bits_on_streams,
    bits_per_character,
    cross_entropy_in_bits,
)
from .cell_search import CellSearch, search_cells
from .corpus import SHERLOCK_HOLMES_SHA256, Split, load_sherlock_holmes, split
from .features import FEATURES, line_features
from .highlight import coloured_text
from .models import CharModel, detach_state, parameter_count
from .ngrams import NGramModel
from .sampling import probabilities_at_temperature, sample
from .streams import Streams
from .training import TextHistory, train_truncated
from .vocabulary import Vocabulary

__all__ = [
    "CellSearch",
    "CharModel",
    "CharacterModel",
    "FEATURES",
    "NGramModel",
    "SHERLOCK_HOLMES_SHA256",
    "Split",
    "Streams",
    "TextHistory",
    "Vocabulary",
    "bits_along_stream",
    "bits_by_context",
    "bits_on_streams",
    "bits_per_character",
    "coloured_text",
    "cross_entropy_in_bits",
    "detach_state",
    "line_features",
    "load_sherlock_holmes",
    "parameter_count",
    "probabilities_at_temperature",
    "sample",
    "search_cells",
    "split",
    "train_truncated",
]
