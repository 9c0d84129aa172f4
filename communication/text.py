"""Markdown as people write it in analyses and comments, made safe to show: rendered by
markdown-it-py (CommonMark, raw HTML off), then sanitised by nh3 (ammonia) to the tags
below, links given rel="noopener noreferrer nofollow". Whatever someone types — a <script>,
an onerror=, a javascript: link — reaches no page as markup. `@username` becomes a
mention."""

from __future__ import annotations

import re

import nh3
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

TAGS = {
    "p", "br", "strong", "em", "code", "pre", "blockquote", "ul", "ol", "li", "a", "h3", "h4",
    "hr", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ATTRIBUTES = {"a": {"href", "title"}}
_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")
_TEXT = re.compile(r">[^<]+<")
# A mention: "@" then a username (Django's characters), not inside a word or an address.
MENTION = re.compile(r"(?<![\w.@])@([\w.@+-]*[\w+-])")


def render(text: str) -> SafeString:
    """`text` (Markdown) as sanitised HTML."""
    html = _markdown.render(text or "")
    clean = nh3.clean(
        html,
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
    # nh3 writes quotes in text as they are; written as &quot; they cannot look like the end
    # of an attribute to any later reader of the page either.
    clean = _TEXT.sub(lambda text: text.group(0).replace('"', "&quot;"), clean)
    # Safe: nh3 has just sanitised it.
    return mark_safe(clean)  # nosec B308 B703


def mentioned_usernames(text: str) -> set[str]:
    """The usernames `text` mentions (`@ana`, `@j.doe`), lower-cased."""
    return {name.lower() for name in MENTION.findall(text or "")}
