"""Things a reader of the book keeps track of, character by character: what a cell could follow.

Each feature is given for the state *after* reading a character, which is what a language model's
state at that step can know. The book is hard-wrapped: a newline ends a line, and a blank line
(two newlines in a row) ends a paragraph.
"""

from __future__ import annotations

import torch

FEATURES = {
    "position_in_line": "characters read since the last newline (0 just after one)",
    "position_in_paragraph": "characters read since the paragraph began (0 at the blank line before it)",
    "characters_since_quote": "characters read since the last double quote (0 just after one)",
    "inside_quotation": "1 between an opening and a closing double quote; a paragraph break closes a quotation",
    "first_line": "1 while the first line of a paragraph is being read",
    "line_opens_with_quote": "1 while a line that began with a double quote is being read",
    "first_line_of_dialogue": "1 while the first line of a paragraph that began with a double quote is being read",
}
"""The features :func:`line_features` computes, and what each one is."""


def line_features(text: str) -> dict[str, torch.Tensor]:
    """The :data:`FEATURES` of ``text``: for each name, one value per character, ``(len(text),)``.

    The three counts are float64; the other features are 0 or 1 (int64). A quotation that runs
    over several paragraphs opens again with the double quote that starts each of them, as the
    book prints it, so a paragraph break closes the quotation. The book's first line counts as the
    first line of a paragraph. At a newline the line has ended: ``line_opens_with_quote`` and
    ``first_line_of_dialogue`` are 0 there, and ``first_line`` is 1 only at the second newline of
    a blank line, where the next paragraph's first line is about to begin.

    Example:
        >>> features = line_features('"Hi."\\n\\nNo')
        >>> features["inside_quotation"].tolist()
        [1, 1, 1, 1, 0, 0, 0, 0, 0]
        >>> features["first_line"].tolist()
        [1, 1, 1, 1, 1, 0, 1, 1, 1]
        >>> features["first_line_of_dialogue"].tolist()
        [1, 1, 1, 1, 1, 0, 0, 0, 0]
        >>> features["position_in_paragraph"].long().tolist()
        [1, 2, 3, 4, 5, 6, 0, 1, 2]
        >>> features["characters_since_quote"].long().tolist()
        [0, 1, 2, 3, 0, 1, 2, 3, 4]
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}")
    position, in_paragraph, since_quote, inside, first, opens = [], [], [], [], [], []
    column, paragraph, after_quote, quoted, first_line, opened, previous = 0, 0, 0, False, True, False, ""
    for character in text:
        paragraph += 1
        after_quote = 0 if character == '"' else after_quote + 1
        if character == "\n":
            column, opened = 0, False
            first_line = previous == "\n"  # a blank line: the next line starts a paragraph
            quoted = quoted and not first_line  # and the paragraph break closes any quotation
            paragraph = 0 if first_line else paragraph
        else:
            if column == 0:
                opened = character == '"'
            column += 1
            if character == '"':
                quoted = not quoted
        position.append(column)
        in_paragraph.append(paragraph)
        since_quote.append(after_quote)
        inside.append(quoted)
        first.append(first_line)
        opens.append(opened)
        previous = character
    first_tensor, opens_tensor = torch.tensor(first, dtype=torch.long), torch.tensor(opens, dtype=torch.long)
    return {
        "position_in_line": torch.tensor(position, dtype=torch.float64),
        "position_in_paragraph": torch.tensor(in_paragraph, dtype=torch.float64),
        "characters_since_quote": torch.tensor(since_quote, dtype=torch.float64),
        "inside_quotation": torch.tensor(inside, dtype=torch.long),
        "first_line": first_tensor,
        "line_opens_with_quote": opens_tensor,
        "first_line_of_dialogue": first_tensor * opens_tensor,
    }
