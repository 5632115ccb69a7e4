"""Numbers from a page's own run, written as the prose writes them and pasted into the book.

The chapters quote counts and measurements from the run the reader sees with myst-nb's ``glue``,
never typed by hand. Where myst-nb is not installed (Binder, Colab), there is no book page to
paste into, and gluing does nothing.
"""

from __future__ import annotations

try:
    from myst_nb import glue as _myst_glue
except ImportError:  # Binder and Colab run the notebooks without the book's tools
    _myst_glue = None

NUMBER_WORDS = ["none", "one", "two", "three", "four", "five", "six", "seven", "eight"]
"""The counts the prose writes as words; larger ones are written in digits."""

_SUPERSCRIPTS = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def glue(name: str, value: object) -> None:
    """Paste ``value`` into the page's prose wherever it says ``{glue:text}`name```; nothing shows in the notebook."""
    if _myst_glue is not None:
        _myst_glue(name, value, display=False)


def in_words(count: int) -> str:
    """A whole number as the prose writes it: a word up to eight, digits above.

    Example:
        >>> in_words(3), in_words(12)
        ('three', '12')
    """
    count = int(count)
    return NUMBER_WORDS[count] if count < len(NUMBER_WORDS) else str(count)


def share_in_words(count: int, total: int, noun: str) -> str:
    """"three of the four networks", "all four networks" or "none of the four networks".

    Example:
        >>> share_in_words(4, 4, "networks"), share_in_words(1, 4, "seeds")
        ('all four networks', 'one of the four seeds')
    """
    count, total = int(count), int(total)
    if count == total:
        return f"all {in_words(total)} {noun}"
    if count == 0:
        return f"none of the {in_words(total)} {noun}"
    return f"{in_words(count)} of the {in_words(total)} {noun}"


def small_number(value: float) -> str:
    """A small positive number in the form the prose writes it, ``2.3 × 10⁻¹²``.

    Example:
        >>> small_number(2.345e-12)
        '2.3 × 10⁻¹²'
    """
    mantissa, exponent = f"{value:.1e}".split("e")
    return f"{mantissa} × 10{str(int(exponent)).translate(_SUPERSCRIPTS)}"
