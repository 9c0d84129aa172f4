"""JSON for answers nested deeper than Python's recursion allows (an objective's cascade
down a unit tree a thousand deep): written with an explicit stack instead of `json.dumps`."""

import json

from rest_framework.renderers import JSONRenderer


def nested_json(data, encode_scalar) -> str:
    """JSON text of nested dicts and lists, written with an explicit stack: `json.dumps`
    recurses, and a cascade down a unit tree a thousand deep nests twice as many levels."""
    out: list[str] = []
    stack: list = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, _Text):
            out.append(item)
        elif isinstance(item, dict):
            parts: list = [_Text("{")]
            for index, (key, value) in enumerate(item.items()):
                parts += [_Text(("," if index else "") + encode_scalar(str(key)) + ":"), value]
            stack.extend(reversed([*parts, _Text("}")]))
        elif isinstance(item, (list, tuple)):
            parts = [_Text("[")]
            for index, value in enumerate(item):
                if index:
                    parts.append(_Text(","))
                parts.append(value)
            stack.extend(reversed([*parts, _Text("]")]))
        else:
            out.append(encode_scalar(item))
    return "".join(out)


class _Text(str):
    """A piece of JSON already written (told apart from a string value to encode)."""


class DeepJSONRenderer(JSONRenderer):
    """DRF's JSON, written by `nested_json` (so a deep cascade is no recursion error)."""

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""

        def scalar(value) -> str:
            return json.dumps(
                value, cls=self.encoder_class, ensure_ascii=self.ensure_ascii,
                allow_nan=not self.strict,
            )  # fmt: skip

        text = nested_json(data, scalar)
        # As DRF's renderer: these two are valid JSON but not valid JavaScript.
        return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029").encode()
