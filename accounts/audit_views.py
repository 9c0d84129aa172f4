"""The security audit log's page, `/accounts/audit/` (OSM staff): the entries newest first,
filtered (accounts/filters.py, as the API) and paginated; `?format=csv` with the same
filters downloads them all. Only reads: nothing on this page, the admin or the API writes
or changes an entry."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from core.views import Crumb, require

from .audit_export import audit_csv_response
from .filters import AuditEventFilter
from .selectors.audit import audit_events

VIEW = "accounts.view_auditevent"
PAGE_SIZE = 50
TEMPLATE = "accounts/audit/list.html"


@require_GET
@login_required
def audit_log(request):
    """The entries, newest first: when, who, from where, what, on whom or what, detail."""
    require(request.user, VIEW)
    filters = AuditEventFilter(request.GET or None, queryset=audit_events())
    context = {"filters": filters, "crumbs": [Crumb(_("Audit log"))]}
    if filters.is_bound and not filters.is_valid():
        return render(request, TEMPLATE, context, status=400)
    if request.GET.get("format") == "csv":
        return audit_csv_response(filters.qs)
    page = Paginator(filters.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    context.update(page=page, events=list(page.object_list))
    return render(request, TEMPLATE, context)
