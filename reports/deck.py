"""The executive deck (python-pptx) of a unit for a month, from the unit report's content
(reports/unit_report.py): a title slide, the strategy map, one slide per perspective with
its objectives' statuses, one per off-target objective with its measures' chart and the
month's analysis, the initiatives and the alignment metrics. 16:9, the default template's
layouts (title; title only), so PowerPoint and LibreOffice open it alike."""

from __future__ import annotations

import io

from django.template.defaultfilters import date as date_filter
from django.utils.html import strip_tags
from django.utils.translation import gettext as _
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.util import Inches, Pt

from communication.text import render as render_markdown
from core.templatetags.osm_format import percent, score

from . import pictures
from .unit_report import UnitReport

WIDTH, HEIGHT = Inches(13.333), Inches(7.5)
TITLE, TITLE_ONLY = 0, 5  # layouts of python-pptx's default template
STATUS_RGB = {
    "green": (RGBColor(0xE3, 0xF4, 0xE6), RGBColor(0x1E, 0x7B, 0x34)),
    "yellow": (RGBColor(0xFD, 0xF2, 0xD9), RGBColor(0x8A, 0x58, 0x00)),
    "red": (RGBColor(0xFB, 0xE3, 0xE1), RGBColor(0xB3, 0x26, 0x1E)),
    "no_data": (RGBColor(0xEE, 0xF0, 0xF2), RGBColor(0x5B, 0x68, 0x75)),
}
ROWS_PER_SLIDE = 12
TEXT_LIMIT = 1200  # characters of an analysis on a slide; the PDF has it whole


def _slide(deck, title: str):
    slide = deck.slides.add_slide(deck.slide_layouts[TITLE_ONLY])
    slide.shapes.title.text = title
    _span(slide.shapes.title)
    slide.shapes.title.text_frame.paragraphs[0].font.size = Pt(28)
    return slide


def _span(shape) -> None:
    """A placeholder of the (4:3) default template stretched across the 16:9 slide."""
    shape.left, shape.width = Inches(0.5), WIDTH - Inches(1)


def _picture(slide, png: bytes, *, left, top, width, height):
    """The picture scaled into the box, keeping its proportions, centred."""
    picture = slide.shapes.add_picture(io.BytesIO(png), left, top)
    ratio = min(width / picture.width, height / picture.height)
    picture.width, picture.height = int(picture.width * ratio), int(picture.height * ratio)
    picture.left = int(left + (width - picture.width) / 2)
    picture.top = int(top)
    return picture


def _table(slide, header: list[str], rows: list[list], *, top, widths: list[float]):
    """A table with a header row; cells are text. Returns the table."""
    shape = slide.shapes.add_table(
        len(rows) + 1, len(header), Inches(0.5), top, Inches(sum(widths)),
        Inches(0.4) * (len(rows) + 1),
    )  # fmt: skip
    table = shape.table
    for index, width in enumerate(widths):
        table.columns[index].width = Inches(width)
    for column, text in enumerate(header):
        _cell(table.cell(0, column), text, bold=True, size=12)
    for row_index, row in enumerate(rows, start=1):
        for column, value in enumerate(row):
            _cell(table.cell(row_index, column), value, size=12)
    return table


def _cell(cell, value, *, bold: bool = False, size: int = 12) -> None:
    cell.text = "" if value is None else str(value)
    for paragraph in cell.text_frame.paragraphs:
        paragraph.font.size = Pt(size)
        paragraph.font.bold = bold


def _status_cell(cell, status: str, words: dict) -> None:
    fill, ink = STATUS_RGB.get(status or "no_data", STATUS_RGB["no_data"])
    _cell(cell, words.get(status or "no_data", status))
    cell.fill.solid()
    cell.fill.fore_color.rgb = fill
    cell.text_frame.paragraphs[0].font.color.rgb = ink
    cell.text_frame.paragraphs[0].font.bold = True


def _text_box(slide, lines: list[tuple[str, bool]], *, left, top, width, height, size=14):
    box = slide.shapes.add_textbox(left, top, width, height)
    frame = box.text_frame
    frame.word_wrap = True
    for index, (text, bold) in enumerate(lines):
        paragraph = frame.paragraphs[0] if index == 0 else frame.add_paragraph()
        paragraph.text = text
        paragraph.font.size = Pt(size)
        paragraph.font.bold = bold
    return box


def _plain(markdown: str) -> str:
    """An analysis as plain text (Markdown rendered and sanitised, then its tags dropped)."""
    text = strip_tags(render_markdown(markdown)).strip()
    return text if len(text) <= TEXT_LIMIT else text[: TEXT_LIMIT - 1].rstrip() + "…"


def _chunks(rows: list, size: int) -> list[list]:
    return [rows[i : i + size] for i in range(0, len(rows), size)] or [[]]


def deck_bytes(report: UnitReport, words: dict) -> bytes:
    """The deck as a .pptx file's bytes."""
    deck = Presentation()
    deck.slide_width, deck.slide_height = WIDTH, HEIGHT
    month = date_filter(report.as_of, "YEAR_MONTH_FORMAT")
    deck.core_properties.title = f"{_('Executive deck')}: {report.title}, {month}"
    deck.core_properties.author = report.company

    cover = deck.slides.add_slide(deck.slide_layouts[TITLE])
    cover.shapes.title.text = f"{report.title}"
    _span(cover.shapes.title)
    _span(cover.placeholders[1])
    cover.placeholders[1].text = "\n".join(
        [
            _("Executive deck, %(month)s") % {"month": month},
            report.company,
            _("Scorecard: %(score)s, %(status)s")
            % {"score": score(report.card.score), "status": words[report.card.status]},
        ]
    )

    slide = _slide(deck, _("Strategy map"))
    if report.map.boxes:
        png = pictures.strategy_map_chart(report.map, fmt="png", status_words=words)
        _picture(slide, png, left=Inches(0.4), top=Inches(1.3), width=WIDTH - Inches(0.8),
                 height=HEIGHT - Inches(1.5))  # fmt: skip
    else:
        _text_box(slide, [(_("This unit has no objectives yet."), False)], left=Inches(0.5),
                  top=Inches(1.5), width=Inches(12), height=Inches(1))  # fmt: skip

    for perspective in report.card.perspectives:
        rows = perspective.objectives
        for part, chunk in enumerate(_chunks(rows, ROWS_PER_SLIDE)):
            title = f"{perspective.name}: {score(perspective.score)}, {words[perspective.status]}"
            slide = _slide(deck, title if part == 0 else f"{perspective.name} ({part + 1})")
            table = _table(
                slide,
                [_("Objective"), _("Score"), _("Status"), _("Measures off target")],
                [[f"{o.code} {o.name}", score(o.score), "",
                  ", ".join(m.code for m in o.measures if m.status == "red") or _("none")]
                 for o in chunk],
                top=Inches(1.4),
                widths=[6.8, 1.3, 1.8, 2.4],
            )  # fmt: skip
            for index, objective in enumerate(chunk, start=1):
                _status_cell(table.cell(index, 2), objective.status, words)

    for item in report.attention:
        if item.reading.status != "red":
            continue
        reading = item.reading
        slide = _slide(deck, f"{reading.code} {reading.name}")
        _text_box(
            slide,
            [(f"{item.perspective} · {words['red']} · {score(reading.score)}", True)],
            left=Inches(0.5), top=Inches(1.15), width=Inches(12), height=Inches(0.4), size=14,
        )  # fmt: skip
        images = [pictures.measure_chart(s, fmt="png", width=7.2, height=2.4)
                  for _m, s in item.measures[:2]]  # fmt: skip
        images = [p for p in images if p]
        for index, png in enumerate(images):
            _picture(slide, png, left=Inches(0.3), top=Inches(1.7 + 2.8 * index),
                     width=Inches(7.6), height=Inches(2.7))  # fmt: skip
        lines: list[tuple[str, bool]] = []
        analysis = item.analysis
        if analysis and analysis.analysis:
            lines += [(_("Analysis"), True), (_plain(analysis.analysis), False)]
        if analysis and analysis.recommendations:
            lines += [(_("Recommendations"), True), (_plain(analysis.recommendations), False)]
        if not lines:
            lines = [(_("No analysis written for %(month)s.") % {"month": month}, False)]
        _text_box(slide, lines, left=Inches(8.1), top=Inches(1.7), width=Inches(4.8),
                  height=Inches(5.4), size=12)  # fmt: skip

    rows = [
        [f"{i.unit.code}.{i.code} {i.name}", i.get_status_display(), f"{i.percent_complete} %",
         _milestones(i, report)]
        for i in report.initiatives
    ]  # fmt: skip
    for part, chunk in enumerate(_chunks(rows, 8)):
        slide = _slide(deck, _("Initiatives") if part == 0 else f"{_('Initiatives')} ({part + 1})")
        if chunk:
            _table(slide, [_("Initiative"), _("Status"), _("Complete"), _("Milestones")], chunk,
                   top=Inches(1.4), widths=[5.2, 1.6, 1.4, 4.1])  # fmt: skip
        else:
            message = [(_("No initiative in this unit or below it."), False)]
            _text_box(slide, message, left=Inches(0.5), top=Inches(1.5), width=Inches(12),
                      height=Inches(1))  # fmt: skip

    slide = _slide(deck, _("Alignment, FY%(year)s") % {"year": report.fiscal_year})
    _table(slide, [_("Metric"), _("Value")],
           [[label, percent(value)] for label, value in report.alignment],
           top=Inches(1.4), widths=[7.0, 2.5])  # fmt: skip

    out = io.BytesIO()
    deck.save(out)
    return out.getvalue()


def _milestones(initiative, report: UnitReport) -> str:
    milestones = list(initiative.milestones.all())
    done = sum(1 for m in milestones if m.done_on)
    late = [m for m in milestones if not m.done_on and m.due < report.made_on]
    text = _("%(done)s of %(all)s done") % {"done": done, "all": len(milestones)}
    if late:
        text += " · " + _("%(number)s late") % {"number": len(late)}
    return text
