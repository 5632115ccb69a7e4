"""A text with one number per character shown as colour: static HTML, readable without a kernel."""

from __future__ import annotations

import html

import torch
from matplotlib import colormaps, colors

from ..validation import check_float_tensor, check_positive_number

COLOUR_MAP = "PuOr_r"
"""A diverging map that readers with the common colour-vision deficiencies can still tell apart:
purple below zero, white at zero, orange above."""

PALE_RANGE = 0.3
"""How far from its white centre the map is used, at most (half its range is 0.5): the paler
colours only, so that black characters keep a contrast of at least 4.5 to 1 on them (the WCAG's
level AA for text), in a light or a dark theme."""


def coloured_text(text: str, values: torch.Tensor, limit: float | None = None, label: str = "value") -> str:
    """HTML of ``text`` with each character on a background coloured by its value, and a legend.

    Zero is white; values at ``-limit`` or below are the map's purple, at ``+limit`` or above its
    orange (``limit`` defaults to the largest absolute value). A line break shows as ``↵`` and
    breaks the line; each character's value appears when the pointer rests on it.

    Args:
        text: the characters, ``N`` of them.
        values: ``(N,)``, one number per character (for example a cell's state after reading it).
        limit: the value shown at full colour.
        label: what the values are, for the legend.

    Example:
        >>> page = coloured_text("ab", torch.tensor([-1.0, 1.0]), label="cell 7")
        >>> page.count("<span"), "cell 7" in page
        (5, True)
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}")
    values = check_float_tensor("values", values)
    if values.shape != (len(text),):
        raise ValueError(f"values must hold one number per character, shape ({len(text)},), got {tuple(values.shape)}")
    if limit is None:
        limit = max(values.abs().max().item(), 1e-12) if len(text) else 1.0
    limit = check_positive_number("limit", limit)
    characters = [_span(character, value, limit) for character, value in zip(text, values.tolist())]
    legend = " ".join(_span(f" {shown} ", value, limit) for shown, value in
                      ((f"{-limit:.3g}", -limit), ("0", 0.0), (f"+{limit:.3g}", limit)))
    return (
        '<div style="font-family: monospace; font-size: 13px; line-height: 1.6; color: black;">'
        f'<div style="margin-bottom: 0.4em;">{html.escape(label)}: {legend}</div>'
        f'<div>{"".join(characters)}</div></div>'
    )


def _span(character: str, value: float, limit: float) -> str:
    """One character on the colour of ``value``, with the value as its tooltip."""
    position = 0.5 + PALE_RANGE * max(-1.0, min(1.0, value / limit))
    background = colors.to_hex(colormaps[COLOUR_MAP](position))
    shown = "&#8629;<br>" if character == "\n" else html.escape(character).replace(" ", "&nbsp;")
    return f'<span style="background-color: {background};" title="{value:.3f}">{shown}</span>'
