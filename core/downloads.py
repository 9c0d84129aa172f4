"""The download menus of the pages: each page names what it shows (`"unit"`, `"objective"`,
`"measure"`, `"alignment"`, `"budget"`, `"initiative"`, `"initiatives"`, `"meeting"`) and the
objects it shows them for; the app that makes files (reports, above every app that has such
a page) registers, in its AppConfig.ready(), what each page offers. A page's template asks
`{% download_menu "budget" unit=unit fiscal_year=fiscal_year %}` (core/templatetags/
osm_downloads.py) and never names the files' URLs itself."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Download:
    """One entry of a download menu: what the file holds, its format's name, its URL."""

    label: str
    kind: str  # "PDF", "Excel", "CSV", "PowerPoint"
    url: str
    file: bool = True  # False: a page (e.g. to subscribe), opened rather than downloaded


_offers: dict[str, Callable[..., list[Download]]] = {}


def register_downloads(page: str, offer: Callable[..., list[Download]]) -> None:
    """`offer(user, **objects)` lists the downloads of `page` for `user`."""
    _offers[page] = offer


def downloads(page: str, user, **objects) -> list[Download]:
    """What `page` offers `user` to download (nothing when no app registered it)."""
    offer = _offers.get(page)
    return offer(user, **objects) if offer else []
