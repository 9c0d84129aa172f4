"""Text in the strategy map's SVG: estimated widths, word wrap, "…" past the last line.

Widths are Helvetica's in thousandths of an em: every digit 556, a space 278, "…" 1,000. At
10 px a digit is 5.56 px, a space 2.78 px, "…" 10 px, which keeps the sums below short.
"""

import pytest

from scorecards.svg_text import ellipsize, text_width, wrap


def test_text_width():
    # Z 611, e 556, r 333, o 556, space 278, h 556, a 556, r 333, m 833 = 4,612
    assert text_width("Zero harm", 12) == pytest.approx(4.612 * 12)
    assert text_width("1", 10, bold=True) == pytest.approx(5.56 * 1.1)
    assert text_width("é", 10) == pytest.approx(5.56)  # not in the table: a digit's width
    assert text_width("日本", 10) == pytest.approx(20)  # East Asian wide: an em each
    assert text_width("", 10) == 0


def test_wrap_breaks_at_spaces():
    # "1111 2222 3333 4444": 16 digits and 3 spaces = 88.96 + 8.34 = 97.3 px <= 100;
    # with " 5555" 111.2 + 11.12 = 122.32 px > 100
    assert wrap("1111 2222 3333 4444 5555", 100, 10) == ["1111 2222 3333 4444", "5555"]
    assert wrap("1111", 100, 10) == ["1111"]
    assert wrap("  1111   2222 ", 100, 10) == ["1111 2222"]  # runs of spaces are one
    assert wrap("", 100, 10) == []


def test_past_the_last_line_the_rest_ends_with_an_ellipsis():
    text = "1111 2222 3333 4444 5555 6666 7777 8888 9999 0000"
    # three lines of 19 characters would be needed; the second shows what fits of the rest
    # before "…" (10 px): 90 px hold "5555 6666 7777 88" (14 digits, 3 spaces: 86.18 px),
    # not one digit more (91.74 px)
    assert wrap(text, 100, 10) == ["1111 2222 3333 4444", "5555 6666 7777 88…"]
    assert wrap(text, 100, 10, lines=1) == ["1111 2222 3333 44…"]
    assert len(wrap(text, 100, 10, lines=3)) == 3


def test_a_word_longer_than_a_line_is_cut():
    # 20 digits = 111.2 px: 17 fit in 100 (94.52 px), 18 do not (100.08 px)
    long = "12345678901234567890"
    assert wrap(long, 100, 10) == ["12345678901234567", "890"]
    # after "00" the long word starts its own line; its pieces join without a space when
    # the rest is cut: 16 digits (88.96 px) and "…" fit 100
    assert wrap(f"00 {long}", 100, 10) == ["00", "1234567890123456…"]


def test_ellipsize():
    assert ellipsize("1111", 100, 10) == "1111"  # fits
    # 36 px leave 26 beside the "…": "1111," is 25.02 px, and a comma or space is not left
    # before the "…"
    assert ellipsize("1111, 2222 3333", 36, 10) == "1111…"
    # 60 px leave 50: "1111 2222" is 47.26 px, with the space 50.04
    assert ellipsize("1111 2222 3333", 60, 10) == "1111 2222…"
    assert ellipsize("1111", 5, 10) == "…"  # not even one digit fits
