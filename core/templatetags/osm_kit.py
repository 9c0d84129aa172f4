"""Template tags of the view kit: the breadcrumbs above every page."""

from django import template

register = template.Library()


@register.inclusion_tag("core/breadcrumbs.html")
def breadcrumbs(crumbs):
    """`{% breadcrumbs crumbs %}`: the steps down to this page (core.views.Crumb), the
    last one without a link."""
    return {"crumbs": crumbs}
