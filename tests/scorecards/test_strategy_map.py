"""The strategy map's layout: bands by perspective, columns by theme, arrows edge to edge,
each with the latest strategy test's verdict and its hover text."""

from scorecards.strategy_map import (
    BAND_PAD,
    BOX_H,
    BOX_W,
    GAP_X,
    GAP_Y,
    LABEL_W,
    THEME_H,
    ArrowTest,
    MapObjective,
    layout,
)


def objective(id, code, perspective, theme=None, status="green"):
    return MapObjective(id, code, code.lower(), perspective, theme, status, "6.67")


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
    assert result.columns == [
        ("Growth", LABEL_W, 2 * (BOX_W + GAP_X) - GAP_X),
        ("", LABEL_W + 2 * (BOX_W + GAP_X), BOX_W),
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
