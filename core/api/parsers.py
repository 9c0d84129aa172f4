"""The API's JSON parser: DRF's, after a check that the body does not nest arrays and
objects more than `MAX_JSON_DEPTH` levels deep. Python's JSON decoder recurses, so a body
of a few thousand `[` would end in a RecursionError (a 500); no request of the API nests
deeper than a few levels. `core.middleware.RequestLimitsMiddleware` makes the same check
on every JSON body before a view (or authentication) runs; this parser is the second line,
for a view reached another way (a test's request factory, a view called directly).
"""

import io
import operator
from itertools import accumulate

from rest_framework import parsers
from rest_framework.exceptions import ParseError

MAX_JSON_DEPTH = 32
TOO_DEEP = (
    f"The JSON body nests arrays and objects more than {MAX_JSON_DEPTH} levels deep; "
    "no request of this API needs that many."
)

_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
# Each opening bracket counts 2, each closing one 0: see `json_depth`.
_STEPS = bytes.maketrans(b"[{]}", b"\x02\x02\x00\x00")


def json_depth(body: bytes) -> int:
    """How deeply the arrays and objects of a JSON text nest (0 for a scalar), without
    parsing it and without recursion; an unbalanced text counts its open brackets.

    Brackets inside strings do not count: escaped backslashes and quotes are dropped
    first (they occur only inside strings), then every other piece between quotes is a
    string. Of the brackets left, after the i-th one (from 1) the depth is opened minus
    closed = 2 * opened - i: the running sum of the steps (2 or 0) less i."""
    plain = body.replace(b"\\\\", b"").replace(b'\\"', b"")
    outside = b"".join(plain.split(b'"')[::2])
    steps = outside.translate(_STEPS, delete=_NOT_BRACKETS)
    if not steps:
        return 0
    return max(map(operator.sub, accumulate(steps), range(1, len(steps) + 1)))


def nests_too_deep(body: bytes) -> bool:
    """Whether `body` nests deeper than `MAX_JSON_DEPTH` (most bodies have fewer brackets
    than that in all, which says no at once)."""
    if body.count(b"[") + body.count(b"{") <= MAX_JSON_DEPTH:
        return False
    return json_depth(body) > MAX_JSON_DEPTH


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, refusing (400) a body nested deeper than `MAX_JSON_DEPTH`."""

    def parse(self, stream, media_type=None, parser_context=None):
        body = stream.read()
        if nests_too_deep(body):
            raise ParseError(TOO_DEEP)
        try:
            return super().parse(io.BytesIO(body), media_type, parser_context)
        except RecursionError:  # not reached within the limit; never a 500 should it be
            raise ParseError(TOO_DEEP) from None
