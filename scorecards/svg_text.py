"""Text in an SVG drawing, as pure functions: SVG does not wrap text, so the strategy map
measures its names here and breaks them into lines before the template draws them.

Widths are estimates from the advance widths of Helvetica (Arial and Liberation Sans share
them; the map's CSS asks for those fonts), in thousandths of the font size. A character
not in the table counts as wide as a digit, an East Asian wide one as a full em.
"""

from __future__ import annotations

import unicodedata

ELLIPSIS = "…"
BOLD = 1.1  # bold glyphs are up to a tenth wider than regular ones
_WIDTHS = dict(
    zip(
        " !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`"
        "abcdefghijklmnopqrstuvwxyz{|}~…",
        (278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278)
        + (556,) * 10
        + (278, 278, 584, 584, 584, 556, 1015)
        + (667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833)
        + (722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611)
        + (278, 278, 278, 469, 556, 333)
        + (556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833)
        + (556, 556, 556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500)
        + (334, 260, 334, 584, 1000),
        strict=True,
    )
)


def _char_width(char: str) -> int:
    if char in _WIDTHS:
        return _WIDTHS[char]
    if unicodedata.east_asian_width(char) in ("W", "F"):
        return 1000
    return 556


def text_width(text: str, size: float, *, bold: bool = False) -> float:
    """The width of `text` in a font of `size` (the same units: px in, px out)."""
    width = sum(_char_width(c) for c in text) * size / 1000
    return width * BOLD if bold else width


def ellipsize(text: str, width: float, size: float, *, bold: bool = False) -> str:
    """`text` if it fits in `width`, else as much of it as fits followed by "…"."""
    if text_width(text, size, bold=bold) <= width:
        return text
    room = width - text_width(ELLIPSIS, size, bold=bold)
    kept = ""
    for char in text:
        if text_width(kept + char, size, bold=bold) > room:
            break
        kept += char
    return kept.rstrip(" ,;:-") + ELLIPSIS


def _break_word(word: str, width: float, size: float, bold: bool) -> list[str]:
    """A word wider than a line, cut into pieces that each fit (at least one character)."""
    pieces, piece = [], ""
    for char in word:
        if piece and text_width(piece + char, size, bold=bold) > width:
            pieces.append(piece)
            piece = ""
        piece += char
    return [*pieces, piece]


def wrap(text: str, width: float, size: float, *, lines: int = 2, bold: bool = False) -> list[str]:
    """`text` broken at spaces into at most `lines` lines, each no wider than `width`. A word
    wider than a line starts a line and is cut where it ends; when the text needs more than
    `lines` lines, the last one shows as much of the rest as fits, ending with "…"."""
    tokens: list[tuple[str, str]] = []  # (text, what joins it to the one before)
    for word in text.split():
        if text_width(word, size, bold=bold) <= width:
            tokens.append((word, " "))
        else:
            pieces = _break_word(word, width, size, bold)
            tokens += [(pieces[0], " ")] + [(piece, "") for piece in pieces[1:]]
    rows: list[list[tuple[str, str]]] = []
    for token in tokens:
        if rows and token[1] and _fits(rows[-1] + [token], width, size, bold):
            rows[-1].append(token)
        else:
            rows.append([token])
    if len(rows) > lines:
        rest = [token for row in rows[lines - 1 :] for token in row]
        return [_join(row) for row in rows[: lines - 1]] + [
            ellipsize(_join(rest), width, size, bold=bold)
        ]
    return [_join(row) for row in rows]


def _join(tokens: list[tuple[str, str]]) -> str:
    """The tokens as text, without the joiner before the first."""
    return "".join(sep + text for text, sep in tokens)[len(tokens[0][1]) :]


def _fits(tokens: list[tuple[str, str]], width: float, size: float, bold: bool) -> bool:
    return text_width(_join(tokens), size, bold=bold) <= width
