"""The strategy map's layout: bands by perspective, columns by theme, arrows edge to edge."""

from scorecards.strategy_map import (
    BAND_PAD,
    BOX_H,
    BOX_W,
    GAP_X,
    GAP_Y,
    LABEL_W,
    THEME_H,
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
