"""How the prose writes the numbers it pastes in from a run."""

from lstm_course import prose


def test_counts_are_words_up_to_eight_and_digits_above():
    assert [prose.in_words(n) for n in (0, 1, 8, 9, 40)] == ["none", "one", "eight", "9", "40"]


def test_shares_say_all_none_or_how_many_of_how_many():
    assert prose.share_in_words(4, 4, "networks") == "all four networks"
    assert prose.share_in_words(0, 4, "networks") == "none of the four networks"
    assert prose.share_in_words(3, 16, "seeds") == "three of the 16 seeds"


def test_small_numbers_are_written_with_a_power_of_ten():
    assert prose.small_number(2.345e-12) == "2.3 × 10⁻¹²"
    assert prose.small_number(8.8e-8) == "8.8 × 10⁻⁸"


def test_gluing_without_a_book_does_nothing():
    assert prose.glue("a_name", 0.5) is None
