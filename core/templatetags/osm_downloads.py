"""`{% download_menu "page" key=object ... %}`: the page's download menu (core/downloads.py),
or nothing when it offers no file."""

from django import template

from ..downloads import downloads

register = template.Library()


@register.inclusion_tag("core/_downloads.html", takes_context=True)
def download_menu(context, page: str, **objects):
    request = context.get("request")
    user = getattr(request, "user", None)
    return {"downloads": downloads(page, user, **objects) if user else []}
