"""What a reader tracks (lines, paragraphs, quotations, counts along them) is computed as defined, the cell
search finds a unit planted in the states and scores it on text it did not choose it on, and the coloured
text is static HTML with the colours promised."""

import re

import pytest
import torch
from matplotlib import colors

from lstm_course import text
from lstm_course.text import highlight


def test_line_features_follow_lines_paragraphs_and_quotations():
    book = 'He said:\n"Go on.\n\n"I will," she said.\nYes.'
    features = text.line_features(book)
    assert set(features) == set(text.FEATURES)
    assert all(values.shape == (len(book),) for values in features.values())
    position = features["position_in_line"].long().tolist()
    assert position[:9] == [1, 2, 3, 4, 5, 6, 7, 8, 0] and position[book.index("Yes")] == 1
    inside = dict(zip(range(len(book)), features["inside_quotation"].tolist()))
    assert inside[book.index("Go")] == 1
    assert inside[book.index("\n\n") + 1] == 0  # the paragraph break closes the open quotation
    assert inside[book.index("I will")] == 1 and inside[book.index("she")] == 0
    first = features["first_line"].tolist()
    assert first[0] == 1 and first[book.index("Go")] == 0
    assert first[book.index("\n\n") + 1] == 1 and first[book.index("she")] == 1 and first[book.index("Yes")] == 0
    dialogue = features["first_line_of_dialogue"].tolist()
    assert dialogue[book.index("she")] == 1 and dialogue[0] == 0 and dialogue[book.index("Go")] == 0
    in_paragraph = features["position_in_paragraph"].long().tolist()
    assert in_paragraph[book.index("Go")] == len('He said:\n"G')  # the line break inside counts
    assert in_paragraph[book.index("\n\n") + 1] == 0 and in_paragraph[book.index("I will")] == 2
    since_quote = features["characters_since_quote"].long().tolist()
    assert since_quote[:3] == [1, 2, 3] and since_quote[book.index("Go")] == 1
    assert since_quote[book.index("she") - 2] == 0  # the closing quote
    opens = features["line_opens_with_quote"].tolist()
    assert opens[book.index("Go")] == 1 and opens[book.index("Yes")] == 0 and opens[book.index("\n\n")] == 0


def test_in_the_book_every_paragraph_starts_outside_a_quotation_and_quotations_do_not_swallow_it():
    book = text.load_sherlock_holmes()
    features = text.line_features(book)
    breaks = torch.tensor([i + 1 for i in range(len(book) - 1) if book[i : i + 2] == "\n\n"])
    assert (features["inside_quotation"][breaks] == 0).all()
    assert (features["first_line"][breaks] == 1).all()
    share_inside = features["inside_quotation"].double().mean().item()
    assert 0.5 < share_inside < 0.9, share_inside  # most of it: clients tell their stories in quotation


def test_line_features_reject_what_is_not_text():
    with pytest.raises(TypeError, match="text must be a str"):
        text.line_features(b"bytes")


class PlantedStates:
    """A stand-in language model whose states are given: cell unit 3 follows ``follow`` exactly."""

    def __init__(self, follow, n=4000, units=6, has_cell=True, seed=0):
        generator = torch.Generator().manual_seed(seed)
        self.cell = torch.randn(1, n, units, generator=generator)
        self.hidden = torch.randn(1, n, units, generator=generator)
        self.cell[0, :, 3] = follow.float() + 0.1 * torch.randn(n, generator=generator)
        self.has_cell = has_cell

    def hidden_states(self, ids):
        return self.hidden, self.cell if self.has_cell else None


def test_the_search_finds_a_planted_unit_and_a_probe_reads_the_feature():
    generator = torch.Generator().manual_seed(1)
    flag = (torch.rand(4000, generator=generator) < 0.3).long()
    number = torch.rand(4000, generator=generator, dtype=torch.float64)
    ids = torch.zeros(4000, dtype=torch.long)
    found = text.search_cells(PlantedStates(flag), ids, {"flag": flag}, block=100)["flag"]
    assert (found.state, found.unit) == ("cell", 3) and found.correlation > 0.9
    assert found.probe > 0.99 and found.baseline == pytest.approx(1 - flag[(torch.arange(4000) // 100) % 2 == 1]
                                                                  .double().mean().item())
    found = text.search_cells(PlantedStates(number), ids, {"number": number}, block=100)["number"]
    assert (found.state, found.unit) == ("cell", 3) and found.probe > 0.9 and found.baseline == 0.0
    negative = text.search_cells(PlantedStates(-number), ids, {"number": number}, block=100)["number"]
    assert negative.unit == 3 and negative.correlation < -0.9  # the sign is kept


def test_the_unit_is_chosen_on_some_blocks_and_scored_on_the_others():
    flag = torch.zeros(4000, dtype=torch.long)
    flag[::2] = 1
    on_choosing_blocks_only = flag * ((torch.arange(4000) // 100) % 2 == 0)
    model = PlantedStates(on_choosing_blocks_only)
    found = text.search_cells(model, torch.zeros(4000, dtype=torch.long), {"flag": flag}, block=100)["flag"]
    assert found.unit == 3 and abs(found.correlation) < 0.1  # it follows the flag only where it was chosen


@pytest.mark.parametrize("call, error, words", [
    (lambda: text.search_cells(PlantedStates(torch.zeros(4000), has_cell=False), torch.zeros(4000, dtype=torch.long),
                               {}), TypeError, "cell state"),
    (lambda: text.search_cells(PlantedStates(torch.zeros(4000)), torch.zeros(4000, dtype=torch.long),
                               {"short": torch.zeros(10)}), ValueError, "one value per character"),
    (lambda: text.search_cells(PlantedStates(torch.zeros(4000)), torch.zeros(4000, dtype=torch.long),
                               {"three": torch.full((4000,), 3)}), ValueError, "0s and 1s"),
    (lambda: text.search_cells(PlantedStates(torch.zeros(4000)), torch.zeros(4000, dtype=torch.long), {},
                               ridge=-1.0), ValueError, "ridge"),
])
def test_the_search_names_a_bad_argument(call, error, words):
    with pytest.raises(error, match=words):
        call()


def contrast_with_black(colour):
    """The WCAG contrast ratio of black text on ``colour``."""
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in colors.to_rgb(colour)]
    luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    return (luminance + 0.05) / 0.05


def background_colours(page):
    return re.findall(r"background-color: (#[0-9a-f]{6})", page)


def test_coloured_text_shows_every_character_on_its_colour_with_a_legend():
    page = text.coloured_text('a<\n b', torch.tensor([-2.0, 0.0, 1.0, 0.5, 9.0]), limit=2.0, label="cell 5")
    legend, characters = background_colours(page)[:3], background_colours(page)[3:]
    assert len(characters) == 5 and "cell 5" in page
    assert "&lt;" in page and "&#8629;<br>" in page and "&nbsp;" in page
    assert characters[0] == legend[0] and characters[1] == legend[1] and characters[4] == legend[2]  # clipped
    purple, centre, orange = (colors.to_rgb(c) for c in legend)
    assert purple[2] > purple[0] and orange[0] > orange[2] and min(centre) > 0.9
    assert 'title="0.500"' in page


@pytest.mark.parametrize("call, words", [
    (lambda: text.coloured_text("ab", torch.zeros(3)), "one number per character"),
    (lambda: text.coloured_text("ab", torch.zeros(2), limit=0.0), "limit"),
])
def test_coloured_text_names_a_bad_argument(call, words):
    with pytest.raises(ValueError, match=words):
        call()


def test_the_palest_and_darkest_colours_of_the_map_in_use_keep_black_characters_readable():
    page = text.coloured_text("abc", torch.linspace(-1, 1, 3))
    assert min(contrast_with_black(c) for c in background_colours(page)) >= 4.5  # WCAG level AA
    assert 0 < highlight.PALE_RANGE < 0.5
