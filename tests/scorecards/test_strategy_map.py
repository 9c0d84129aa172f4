"""The strategy map's layout: bands by perspective, columns by theme, arrows edge to edge,
each with the latest strategy test's verdict and its hover text."""

from scorecards.strategy_map import (
    BAND_PAD,
    BOX_H,
    BOX_W,
    GAP_X,
    GAP_Y,
    LABEL_W,
    MAP_WIDTH,
    THEME_H,
    ArrowTest,
    Column,
    MapObjective,
    box_width,
    layout,
)


def objective(id, code, perspective, theme=None, status="green", name=None):
    return MapObjective(id, code, name or code.lower(), perspective, theme, status, "6.67")


def test_bands_columns_and_arrows():
    perspectives = [(1, "Financial"), (2, "Customer")]
    themes = [(10, "Growth")]
    objectives = [
        objective(1, "F1", 1, theme=10),
        objective(2, "C1", 2, theme=10),
        objective(3, "C2", 2, theme=10),
        objective(4, "F2", 1),  # no theme: the last column group
    ]
    result = layout(perspectives, themes, objectives, [(2, 1), (3, 2), (9, 1)])
    boxes = {b.objective.code: b for b in result.boxes}
    # Growth holds at most 2 boxes in a band, so its group is 2 boxes wide; then no theme
    # (three columns leave room for the widest boxes: (1130 - 120) // 3 - 16 = 320 > 200)
    assert result.columns == [
        Column("Growth", LABEL_W, 2 * (BOX_W + GAP_X) - GAP_X),
        Column("", LABEL_W + 2 * (BOX_W + GAP_X), BOX_W),
    ]
    # the theme names take the top; Financial first, Customer one band lower
    assert [b.y for b in result.bands] == [THEME_H, THEME_H + BOX_H + 2 * BAND_PAD + GAP_Y]
    assert (boxes["F1"].x, boxes["F1"].y) == (LABEL_W, THEME_H + BAND_PAD)
    assert boxes["C2"].x == LABEL_W + BOX_W + GAP_X  # side by side with C1
    assert boxes["F2"].x == LABEL_W + 2 * (BOX_W + GAP_X)
    # C1 -> F1 goes up: from C1's top edge to F1's bottom edge; C2 -> C1 side to side;
    # the arrow naming an objective not on the map (9) is left out
    up, side = result.arrows
    assert (up.x1, up.y1, up.x2, up.y2) == (
        boxes["C1"].cx,
        boxes["C1"].y,
        boxes["F1"].cx,
        boxes["F1"].y + BOX_H,
    )
    assert (side.x1, side.x2) == (boxes["C2"].x, boxes["C1"].x + BOX_W)
    assert result.width == LABEL_W + 3 * (BOX_W + GAP_X)


def test_an_empty_map():
    result = layout([(1, "Financial")], [], [], [])
    assert result.boxes == [] and result.arrows == []
    assert result.width == LABEL_W + BOX_W + GAP_X


def _two_boxes():
    perspectives = [(1, "Financial"), (2, "Customer")]
    return perspectives, [objective(1, "F1", 1), objective(2, "C1", 2), objective(3, "C2", 2)]


def test_each_arrow_carries_its_verdict_and_hover_text():
    perspectives, objectives = _two_boxes()
    verdicts = {
        (2, 1): ArrowTest("supported", "monthly", lag=2, r=0.62, p_adjusted=0.002, periods=30,
                          units=1),
        (3, 1): ArrowTest("contradicted", "quarterly", lag=1, r=-0.514, p_adjusted=0.0004,
                          periods=14, units=3),
    }  # fmt: skip
    result = layout(perspectives, [], objectives, [(2, 1), (3, 1), (3, 2)], verdicts)
    supported, contradicted, untested = result.arrows
    assert supported.verdict == "supported" and supported.verdict_label == "Supported"
    assert supported.hover == (
        "C1 drives F1. Supported: r 0.62 at lag 2 months, adjusted p 0.002, 30 periods, 1 unit"
    )
    # -0.514 to two decimals; an adjusted p below 0.001 is written so; 1 quarter, 3 units
    assert contradicted.verdict == "contradicted"
    assert contradicted.hover == (
        "C2 drives F1. Contradicted: r -0.51 at lag 1 quarter, adjusted p < 0.001, "
        "14 periods, 3 units"
    )
    assert (
        contradicted.figures == "r -0.51 at lag 1 quarter, adjusted p < 0.001, 14 periods, 3 units"
    )
    # no verdict for (3, 2): drawn as before, untested
    assert untested.verdict == "untested" and untested.test is None
    assert untested.verdict_label == "Not tested"
    assert untested.hover == "C2 drives C1. Not tested yet" and untested.figures == ""


def test_not_supported_and_insufficient_data_in_words():
    perspectives, objectives = _two_boxes()
    verdicts = {
        (2, 1): ArrowTest("not_supported", "monthly", lag=0, r=0.1, p_adjusted=0.41, periods=40,
                          units=2),
        (3, 1): ArrowTest("insufficient_data", "monthly", periods=0, units=1),
        (3, 2): ArrowTest("insufficient_data", "monthly", periods=8, units=1),
    }  # fmt: skip
    result = layout(perspectives, [], objectives, list(verdicts), verdicts)
    not_supported, short, shorter = result.arrows
    assert not_supported.verdict_label == "Not supported"
    assert not_supported.figures == "r 0.10 at lag 0 months, adjusted p 0.410, 40 periods, 2 units"
    # no lag had enough paired periods: no r, no lag, no p
    assert short.hover == "C2 drives F1. Insufficient data: too few paired periods to test"
    assert shorter.figures == "too few paired periods to test (8 periods, 1 unit)"


def test_verdicts_of_arrows_not_on_the_map_are_ignored():
    perspectives, objectives = _two_boxes()
    result = layout(perspectives, [], objectives, [(2, 1)], {(9, 1): ArrowTest("supported")})
    assert [a.verdict for a in result.arrows] == ["untested"]


def test_contradicted_arrows_are_drawn_last_on_top():
    perspectives, objectives = _two_boxes()
    links = [(2, 1), (3, 1), (3, 2)]
    verdicts = {(2, 1): ArrowTest("contradicted"), (3, 1): ArrowTest("supported")}
    result = layout(perspectives, [], objectives, links, verdicts)
    assert [a.verdict for a in result.arrows] == ["contradicted", "supported", "untested"]
    assert [a.verdict for a in result.arrows_to_draw] == ["untested", "supported", "contradicted"]


# The fit on a 1440 px screen: the dashboard's column there is 1,200 px (main's max-width)
# less 2 x 19.2 px of padding and 2 x 7 px of the map's frame: 1,147.6 px. The drawing is
# its layout's width plus a 10-unit margin, so it must be at most 1,137.


def test_box_width_shares_the_drawing_among_the_columns():
    assert (MAP_WIDTH, LABEL_W, GAP_X) == (1130, 120, 16)
    # 1,010 units beside the band names, one box and one gap per column
    assert box_width(7) == 1010 // 7 - 16 == 128  # 144 per column
    assert box_width(6) == 168 - 16 == 152
    assert box_width(5) == 202 - 16 == 186
    assert box_width(3) == 200  # 336 - 16 = 320, at most 200
    assert box_width(8) == 120  # 126 - 16 = 110, at least 120: the drawing grows
    assert box_width(0) == 200
    assert box_width(2, width=520) == 200 - 16 == 184  # (520 - 120) // 2 = 200


def test_seven_objectives_in_a_row_fit_1440_px():
    objectives = [objective(i, f"F{i}", 1) for i in range(1, 8)]
    result = layout([(1, "Financial")], [], objectives, [])
    assert [b.x for b in result.boxes] == [120 + i * 144 for i in range(7)]
    assert {b.w for b in result.boxes} == {128}
    assert result.width == 120 + 7 * 144 == 1128
    assert result.width + 10 <= 1147  # drawn at full size, no sideways scrolling


def test_theme_groups_count_their_widest_band():
    # Growth: 3 boxes in Financial, 1 in Customer; Service: 1 and 4 -> 3 + 4 = 7 columns
    perspectives, themes = [(1, "Financial"), (2, "Customer")], [(10, "Growth"), (20, "Service")]
    objectives = (
        [objective(i, f"G{i}", 1, theme=10) for i in range(1, 4)]
        + [objective(4, "G4", 2, theme=10), objective(5, "S1", 1, theme=20)]
        + [objective(i, f"S{i}", 2, theme=20) for i in range(6, 10)]
    )
    result = layout(perspectives, themes, objectives, [])
    assert result.columns == [
        Column("Growth", 120, 3 * 144 - 16),
        Column("Service", 120 + 3 * 144, 4 * 144 - 16),
    ]
    assert result.width == 1128
    boxes = {b.objective.code: b for b in result.boxes}
    assert boxes["S9"].x + boxes["S9"].w == 120 + 7 * 144 - 16 == 1112


def test_eight_columns_keep_the_narrowest_box_and_grow_the_drawing():
    objectives = [objective(i, f"F{i}", 1) for i in range(1, 9)]
    result = layout([(1, "Financial")], [], objectives, [])
    assert {b.w for b in result.boxes} == {120}
    assert result.width == 120 + 8 * 136 == 1208  # the page draws it smaller


def test_names_wrap_onto_two_lines_inside_their_box():
    lean = "Run lean, safe, high-quality operations"
    objectives = [objective(i, f"F{i}", 1) for i in range(3, 7)]
    objectives += [objective(1, "F1", 1, name="Grow revenue profitably")]
    six = layout([(1, "Financial")], [], [*objectives, objective(2, "F2", 1, name=lean)], [])
    first, second = six.boxes[:2]
    # Six columns: boxes 152 wide, 152 - 2 x 9 = 134 for text at 12 px. Helvetica widths
    # in thousandths of an em: "Grow revenue" 6,280; " profitably" 278 + 4,257: 10,815
    # -> 129.8 px, which fits 134: one line.
    assert first.name_lines == ["Grow revenue profitably"]
    # "Run lean, safe," 6,726 -> 80.7 px; with " high-quality" (278 + 5,113) 12,117 ->
    # 145.4 px > 134, so "high-quality operations" (10,060 -> 120.7 px) is the second line.
    assert second.name_lines == ["Run lean, safe,", "high-quality operations"]
    assert second.code_text == "F2"
    # Seven columns: 128 wide, 110 for text; 120.7 px > 110 leaves "operations" for a third
    # line: the second shows what fits before "…" (12 px): 98 px = 8,166 thousandths;
    # "high-quality opera" is 7,948, with "t" 8,226.
    seven = layout([(1, "Financial")], [], [*objectives, objective(2, "F2", 1, name=lean),
                                            objective(8, "F8", 1)], [])  # fmt: skip
    assert seven.boxes[1].name_lines == ["Run lean, safe,", "high-quality opera…"]


def test_band_names_wrap_and_theme_names_are_cut_to_their_column():
    perspectives = [(1, "Learning and growth")]
    themes = [(10, "Operational excellence everywhere")]
    result = layout(perspectives, themes, [objective(1, "L1", 1, theme=10)], [])
    # 13 px bold (x 1.1) in 120 - 20 = 100: "Learning and" = 5,837 -> 83.5 px;
    # with " growth" (3,279) 9,116 -> 130.4 px: two lines
    assert result.bands[0].name_lines == ["Learning and", "growth"]
    # one column, 200 wide: the theme's name is wider (33 characters at 13 px bold)
    (column,) = result.columns
    assert column.w == 200 and column.label.endswith("…") and len(column.label) < 33
    assert column.name == "Operational excellence everywhere"  # whole, for its <title>
