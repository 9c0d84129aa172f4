"""Every page of the web app renders, for every demo role, on the demo company.

The list of pages below is checked against the URL configuration, so a new page without a
line here fails this test. Each role gets 200 where the rules let it in and 403 where
they do not, never a 404 or a 500; the OSM staff get every page.
"""

from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import URLPattern, URLResolver, get_resolver

from budgets.models import BudgetLine
from initiatives.models import Initiative, Milestone
from people.models import Employee, Goal, GoalTemplate, IncentiveComponent
from scorecards.models import (
    CauseEffect,
    Measure,
    MeasureValue,
    Objective,
    OrgUnit,
    Perspective,
    Theme,
)

pytestmark = pytest.mark.django_db

ROLES = ["osm", "executive", "unithead", "hr", "owner", "employee"]
# Pages that only take a POST (a GET is 405), and Django's own account pages.
POST_ONLY = {"measure-value-delete", "arrow-add", "arrow-delete", "logout", "value-approve",
             "notifications-read-all", "analysis-post", "comment-post",
             "comment-delete", "practice-endorsement", "practice-attachment-remove",
             "security-user-end-all", "security-session-end", "security-sessions-end-others",
             "security-token-new", "security-token-revoke", "account-user-deactivate",
             "account-user-reactivate", "account-user-unlock",
             "account-user-invitation-resend"}  # fmt: skip
NOT_OURS = {
    "password_reset_confirm",  # needs a token from an email
    "password_reset_done",
    "password_reset_complete",
    "password_change_done",
    "sso-login",  # a redirect to the identity provider (404 while OIDC_ISSUER is empty)
    "sso-callback",  # the provider's answer: tests/accounts/test_sso.py
    "account-invitation",  # needs a token from an e-mail (tests/accounts/test_users_pages.py)
}


def web_url_names(patterns=None, namespace=None) -> set[str]:
    """The names of the web app's URLs (not the admin's, the API's or unnamed ones)."""
    names = set()
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin" or str(pattern.pattern).startswith("api/"):
                continue
            names |= web_url_names(pattern.url_patterns, pattern.namespace or namespace)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(f"{namespace}:{pattern.name}" if namespace else pattern.name)
    return names


def demo_objects() -> SimpleNamespace:
    """One of each thing a page is about, from the demo's data."""
    unit = OrgUnit.objects.filter(parent__parent__isnull=True, parent__isnull=False).first()
    objective = Objective.objects.filter(unit=unit).first()
    measure = Measure.objects.filter(values__isnull=False).first()
    initiative = Initiative.objects.filter(milestones__isnull=False).first()
    milestone = Milestone.objects.filter(initiative=initiative).first()
    employee = Employee.objects.filter(goals__isnull=False).first()
    goal = Goal.objects.filter(employee=employee).first()
    incentive = IncentiveComponent.objects.first()
    template = GoalTemplate.objects.first()
    line = BudgetLine.objects.first()
    value = MeasureValue.objects.filter(measure=measure).first()
    arrow = CauseEffect.objects.first()
    from reviews.models import ActionItem, ReviewMeeting  # for the review meeting pages

    meeting = ReviewMeeting.objects.filter(action_items__isnull=False).first()
    item = ActionItem.objects.filter(meeting=meeting).first()
    from reviews.models import CalendarEvent  # for the strategy calendar pages

    event = CalendarEvent.objects.first()
    theme, perspective = Theme.objects.first(), Perspective.objects.first()
    from core.models import Notification  # for the inbox's pages

    notification = Notification.objects.first()
    from communication.models import Comment  # for the discussion pages

    comment = Comment.objects.first()
    from reports.models import ReportSubscription  # the executive's, in the demo

    subscription = ReportSubscription.objects.first()
    from scorecards.models import StrategyVersion  # the demo's corporate map's

    version = StrategyVersion.objects.first()
    from communication.models import Announcement, Practice, PracticeAttachment, Pulse

    announcement = Announcement.objects.first()
    practice = Practice.objects.filter(attachments__isnull=False).first()
    attachment = PracticeAttachment.objects.filter(practice=practice).first()
    pulse = Pulse.objects.order_by("-opens_on").first()  # the open one, in the demo
    closed_pulse = Pulse.objects.filter(closes_on__lt=pulse.opens_on).first()
    # The users' pages: the demo's employee, else (the scale data, other worlds) anyone but
    # a superuser.
    users = get_user_model().objects.filter(is_superuser=False, is_active=True)
    account = users.filter(username="employee").first() or users.order_by("pk").first()
    return SimpleNamespace(**locals())


# name -> the URL of that page, from demo_objects()
PAGES = {
    "strategy-test": lambda d: f"/units/{d.unit.code}/strategy-test/",
    "calendar:index": lambda d: f"/calendar/?unit={d.unit.code}",
    "calendar:event-new": lambda d: f"/calendar/events/new/?unit={d.unit.code}",
    "calendar:event-edit": lambda d: f"/calendar/events/{d.event.pk}/edit/",
    "calendar:event-delete": lambda d: f"/calendar/events/{d.event.pk}/delete/",
    "reviews:index": lambda d: "/reviews/",
    "reviews:new": lambda d: f"/reviews/new/?unit={d.unit.code}",
    "reviews:detail": lambda d: f"/reviews/{d.meeting.pk}/",
    "reviews:edit": lambda d: f"/reviews/{d.meeting.pk}/edit/",
    "reviews:delete": lambda d: f"/reviews/{d.meeting.pk}/delete/",
    "reviews:briefing": lambda d: f"/reviews/{d.meeting.pk}/briefing/",
    "reviews:item-new": lambda d: f"/reviews/{d.meeting.pk}/items/new/",
    "reviews:item-edit": lambda d: f"/reviews/items/{d.item.pk}/edit/",
    "reviews:item-delete": lambda d: f"/reviews/items/{d.item.pk}/delete/",
    "home": lambda d: "/",
    "unit-pick": lambda d: f"/units/?unit={d.unit.code}",
    "unit": lambda d: f"/units/{d.unit.code}/",
    "objective": lambda d: f"/objectives/{d.objective.pk}/",
    "healthz": lambda d: "/healthz/",
    "values-upload": lambda d: "/measures/upload/",
    "measure": lambda d: f"/measures/{d.measure.pk}/",
    "measure-edit": lambda d: f"/measures/{d.measure.pk}/edit/",
    "measure-delete": lambda d: f"/measures/{d.measure.pk}/delete/",
    "my-updates": lambda d: "/my/updates/",
    "approvals": lambda d: "/my/approvals/",
    "notifications": lambda d: "/notifications/",
    "notification-count": lambda d: "/notifications/count/",
    "notification-preferences": lambda d: "/notifications/preferences/",
    "notifications-read-all": lambda d: "/notifications/read-all/",
    "notification-open": lambda d: f"/notifications/{d.notification.pk}/",
    "discussion": lambda d: f"/discuss/objective/{d.objective.pk}/?month=2026-01",
    "analysis-post": lambda d: f"/discuss/objective/{d.objective.pk}/analysis/",
    "comment-post": lambda d: f"/discuss/objective/{d.objective.pk}/comments/",
    "comment-delete": lambda d: f"/comments/{d.comment.pk}/delete/",
    "value-approve": lambda d: f"/values/{d.value.pk}/approve/",
    "value-return": lambda d: f"/values/{d.value.pk}/return/",
    "my-strategy": lambda d: "/my/strategy/",
    "landing": lambda d: "/start/",
    "unit-cascade": lambda d: f"/units/{d.unit.code}/cascade/",
    "objective-new": lambda d: f"/units/{d.unit.code}/objectives/new/",
    "objective-edit": lambda d: f"/objectives/{d.objective.pk}/edit/",
    "objective-delete": lambda d: f"/objectives/{d.objective.pk}/delete/",
    "measure-new": lambda d: f"/objectives/{d.objective.pk}/measures/new/",
    "alignment:page": lambda d: "/alignment/",
    # The files of the download menus (reports/views.py)
    "reports:scorecard": lambda d: f"/reports/units/{d.unit.code}/scorecard/?format=xlsx",
    "reports:unit-report": lambda d: f"/reports/units/{d.unit.code}/report/",
    "reports:goals": lambda d: f"/reports/units/{d.unit.code}/goals/?format=csv",
    "reports:incentives": lambda d: f"/reports/units/{d.unit.code}/incentives/",
    "reports:history": lambda d: f"/reports/measures/{d.measure.pk}/history/",
    "reports:alignment": lambda d: f"/reports/alignment/?unit={d.unit.code}",
    "reports:budget": lambda d: f"/reports/budget/?unit={d.unit.code}",
    "reports:portfolio": lambda d: "/reports/initiatives/",
    "reports:briefing-book": lambda d: f"/reports/meetings/{d.meeting.pk}/briefing-book/",
    "reports:scorecard-import": lambda d: f"/reports/units/{d.unit.code}/scorecard-import/",
    "reports:scorecard-import-template": lambda d: (
        f"/reports/units/{d.unit.code}/scorecard-import/template/"
    ),
    "unit-versions": lambda d: f"/units/{d.unit.code}/versions/",
    "unit-version": lambda d: f"/units/{d.version.unit.code}/versions/{d.version.pk}/",
    "unit-versions-compare": lambda d: f"/units/{d.unit.code}/versions/compare/?b=live&a=live",
    "reports:subscriptions": lambda d: "/reports/subscriptions/",
    "reports:subscription-new": lambda d: (
        f"/reports/subscriptions/new/?unit={d.unit.code}&kind=scorecard_xlsx"
    ),
    "reports:subscription-edit": lambda d: f"/reports/subscriptions/{d.subscription.pk}/edit/",
    "reports:subscription-delete": lambda d: f"/reports/subscriptions/{d.subscription.pk}/delete/",
    "initiatives:index": lambda d: "/initiatives/",
    "initiatives:new": lambda d: "/initiatives/new/",
    "initiatives:detail": lambda d: f"/initiatives/{d.initiative.pk}/",
    "initiatives:edit": lambda d: f"/initiatives/{d.initiative.pk}/edit/",
    "initiatives:delete": lambda d: f"/initiatives/{d.initiative.pk}/delete/",
    "initiatives:milestone-new": lambda d: f"/initiatives/{d.initiative.pk}/milestones/new/",
    "initiatives:milestone-edit": lambda d: (
        f"/initiatives/{d.initiative.pk}/milestones/{d.milestone.pk}/edit/"
    ),
    "initiatives:milestone-delete": lambda d: (
        f"/initiatives/{d.initiative.pk}/milestones/{d.milestone.pk}/delete/"
    ),
    "budgets:index": lambda d: "/budgets/",
    "budgets:line-create": lambda d: f"/budgets/lines/new/?unit={d.unit.code}",
    "budgets:line-edit": lambda d: f"/budgets/lines/{d.line.pk}/edit/",
    "budgets:line-delete": lambda d: f"/budgets/lines/{d.line.pk}/delete/",
    "people:index": lambda d: "/people/",
    "people:employee": lambda d: f"/people/{d.employee.pk}/",
    "people:goal-add": lambda d: f"/people/{d.employee.pk}/goals/add/",
    "people:incentive-add": lambda d: f"/people/{d.employee.pk}/incentives/add/",
    "people:goal-edit": lambda d: f"/people/goals/{d.goal.pk}/edit/",
    "people:goal-delete": lambda d: f"/people/goals/{d.goal.pk}/delete/",
    "people:incentive-edit": lambda d: f"/people/incentives/{d.incentive.pk}/edit/",
    "people:incentive-delete": lambda d: f"/people/incentives/{d.incentive.pk}/delete/",
    "people:templates": lambda d: "/people/templates/",
    "people:template-add": lambda d: "/people/templates/add/",
    "people:template-edit": lambda d: f"/people/templates/{d.template.pk}/edit/",
    "people:template-delete": lambda d: f"/people/templates/{d.template.pk}/delete/",
    "people:template-apply": lambda d: f"/people/templates/{d.template.pk}/apply/",
    "people:alignment": lambda d: "/people/alignment/",
    "login": lambda d: "/accounts/login/",
    "language": lambda d: "/accounts/language/",
    "password_change": lambda d: "/accounts/password_change/",
    "password_reset": lambda d: "/accounts/password_reset/",
    "measure-value-delete": lambda d: (
        f"/measures/{d.measure.pk}/values/{d.value.period:%Y-%m-%d}/delete/"
    ),
    "measure-value-clear": lambda d: (
        f"/measures/{d.measure.pk}/values/{d.value.period:%Y-%m-%d}/clear/"
    ),
    "arrow-add": lambda d: f"/units/{d.unit.code}/arrows/",
    "arrow-delete": lambda d: f"/arrows/{d.arrow.pk}/delete/",
    "logout": lambda d: "/accounts/logout/",
    "setup": lambda d: "/setup/",
    "reporting-months": lambda d: "/reporting/months/",
    "reporting-month-close": lambda d: "/reporting/months/2026-01/close/",
    "reporting-month-reopen": lambda d: "/reporting/months/2026-01/reopen/",
    "setup-unit-new": lambda d: f"/setup/units/new/?parent={d.unit.code}",
    "setup-unit-edit": lambda d: f"/setup/units/{d.unit.code}/edit/",
    "setup-unit-move": lambda d: f"/setup/units/{d.unit.code}/move/",
    "setup-unit-delete": lambda d: f"/setup/units/{d.unit.code}/delete/",
    "setup-theme-new": lambda d: f"/setup/units/{d.unit.code}/themes/new/",
    "setup-theme-edit": lambda d: f"/setup/themes/{d.theme.pk}/edit/",
    "setup-theme-delete": lambda d: f"/setup/themes/{d.theme.pk}/delete/",
    "setup-perspective-new": lambda d: "/setup/perspectives/new/",
    "setup-perspective-edit": lambda d: f"/setup/perspectives/{d.perspective.pk}/edit/",
    "setup-perspective-delete": lambda d: f"/setup/perspectives/{d.perspective.pk}/delete/",
    # Announcements, practices (communication/)
    "announcements": lambda d: "/announcements/",
    "announcement": lambda d: f"/announcements/{d.announcement.pk}/",
    "announcement-new": lambda d: f"/announcements/new/?unit={d.unit.code}",
    "announcement-edit": lambda d: f"/announcements/{d.announcement.pk}/edit/",
    "announcement-delete": lambda d: f"/announcements/{d.announcement.pk}/delete/",
    "announcement-readers": lambda d: f"/announcements/{d.announcement.pk}/reach/",
    "practices": lambda d: "/practices/",
    "audit-log": lambda d: "/accounts/audit/",
    "security": lambda d: "/accounts/security/",
    "security-user": lambda d: f"/accounts/security/{d.account.pk}/",
    "security-user-end-all": lambda d: "/accounts/security/1/end-all/",
    "security-session-end": lambda d: "/accounts/security/sessions/1/end/",
    "security-sessions-end-others": lambda d: "/accounts/security/sessions/end-others/",
    "security-token-new": lambda d: "/accounts/security/tokens/new/",
    "security-token-revoke": lambda d: "/accounts/security/tokens/abc/revoke/",
    # The second factor (accounts/mfa_views.py): each person's own; removing someone else's
    # is the OSM staff's (tests/accounts/test_mfa.py).
    "mfa": lambda d: "/accounts/two-factor/",
    "mfa-setup": lambda d: "/accounts/two-factor/setup/",
    "mfa-verify": lambda d: "/accounts/two-factor/verify/",
    "mfa-recovery-codes": lambda d: "/accounts/two-factor/recovery-codes/",
    "mfa-remove": lambda d: "/accounts/two-factor/remove/",
    "mfa-user-remove": lambda d: f"/accounts/two-factor/users/{d.account.pk}/remove/",
    # User management, the OSM staff's (accounts/users_urls.py)
    "account-users": lambda d: "/accounts/users/?q=e",
    "account-user-invite": lambda d: "/accounts/users/invite/",
    "account-user": lambda d: f"/accounts/users/{d.account.pk}/",
    "account-user-edit": lambda d: f"/accounts/users/{d.account.pk}/edit/",
    "account-user-deactivate": lambda d: f"/accounts/users/{d.account.pk}/deactivate/",
    "account-user-reactivate": lambda d: f"/accounts/users/{d.account.pk}/reactivate/",
    "account-user-unlock": lambda d: f"/accounts/users/{d.account.pk}/unlock/",
    "account-user-invitation-resend": lambda d: f"/accounts/users/{d.account.pk}/invitation/",
    "practice-new": lambda d: "/practices/new/",
    "practice": lambda d: f"/practices/{d.practice.pk}/",
    "practice-edit": lambda d: f"/practices/{d.practice.pk}/edit/",
    "practice-delete": lambda d: f"/practices/{d.practice.pk}/delete/",
    "practice-endorsement": lambda d: f"/practices/{d.practice.pk}/endorsement/",
    "practice-attachment": lambda d: f"/practices/{d.practice.pk}/attachments/{d.attachment.pk}/",
    "practice-attachment-remove": lambda d: (
        f"/practices/{d.practice.pk}/attachments/{d.attachment.pk}/remove/"
    ),
    "practice-suggestions": lambda d: f"/practices/for-measure/{d.measure.pk}/",
    "pulse-list": lambda d: "/pulses/",
    "pulse-new": lambda d: f"/pulses/new/?unit={d.unit.code}",
    "pulse-edit": lambda d: f"/pulses/{d.pulse.pk}/edit/",
    "pulse-delete": lambda d: f"/pulses/{d.pulse.pk}/delete/",
    "pulse-answer": lambda d: f"/pulses/{d.pulse.pk}/answer/",
    "pulse-results": lambda d: f"/pulses/{d.closed_pulse.pk}/results/",
    "search": lambda d: "/search/?q=delivery",
    # JSON for the search boxes of the forms (core/people.py and the apps' searches)
    "announcement-objectives": lambda d: "/announcements/objectives/?q=a",
    "practice-objectives": lambda d: "/practices/objectives/?q=a",
    "practice-measures": lambda d: "/practices/measures/?q=a",
    "people-search": lambda d: "/people/search/?q=a",
    "measures-below": lambda d: f"/units/{d.unit.code}/measures-below/?q=a",
    "initiatives:objectives-search": lambda d: (
        f"/initiatives/objectives/search/?unit={d.unit.pk}&q=a"
    ),
}
# Addresses that answer JSON, not a page: not opened in a browser, nothing to escape in HTML.
JSON_PAGES = {"healthz", "people-search", "measures-below", "initiatives:objectives-search",
              "announcement-objectives", "practice-objectives", "practice-measures"}  # fmt: skip
# Addresses a browser never shows as a page of their own: the header's unread count (an
# htmx fragment) and the link of a notification (a redirect to the page it is about).
NOT_A_PAGE = {"notification-count", "notification-open"}
# Files to download (a workbook, a PDF, a deck): no HTML to look into.
FILES = {"reports:scorecard", "reports:unit-report", "reports:history", "reports:alignment",
         "reports:budget", "reports:portfolio", "reports:briefing-book",
         "reports:scorecard-import-template", "practice-attachment", "reports:goals",
         "reports:incentives"}  # fmt: skip


@pytest.fixture
def demo(db):
    # In a browser test (transactional) the test before may have emptied the tables, the
    # perspectives a migration creates too; the demo needs them.
    from importlib import import_module

    from django.apps import apps

    migration = import_module("scorecards.migrations.0002_default_perspectives")
    migration.create_perspectives(apps, None)
    call_command("seed_demo", "--yes", verbosity=0)
    if not GoalTemplate.objects.exists():  # the demo has none: HR makes one
        goal = Goal.objects.filter(objective__isnull=False).first()
        GoalTemplate.objects.create(
            name="Demo template", fiscal_year=goal.fiscal_year, kind=goal.kind,
            title="Template goal", weight=1, objective=goal.objective,
        )  # fmt: skip


def test_every_page_is_listed():
    missing = web_url_names() - NOT_OURS - PAGES.keys()
    assert not missing, f"pages without a render test here: {sorted(missing)}"


def test_every_page_for_every_role(client, demo):
    objects = demo_objects()
    urls = {name: url(objects) for name, url in PAGES.items()}
    User = get_user_model()
    failures = []
    for username in ROLES:
        client.force_login(User.objects.get(username=username))
        for name, url in urls.items():
            if name == "logout":
                continue  # a POST logs out; its GET is refused (405) by Django
            response = client.get(url)
            expected = {405} if name in POST_ONLY else {200, 403}
            if username == "osm" and name not in POST_ONLY:
                expected = {200}
            if name in ("unit-pick", "landing", "mfa-verify"):  # nothing to verify: on it goes
                expected = {302}
            if name == "notification-open":  # its recipient follows the link; others: 404
                recipient = objects.notification.recipient.username
                expected = {302} if username == recipient else {404}
            if response.status_code not in expected:
                failures.append(f"{username} GET {url} ({name}): {response.status_code}")
            elif response.status_code == 200 and "text/html" in response["Content-Type"]:
                html = response.content.decode()
                if "{{" in html or "{%" in html:
                    failures.append(f"{username} GET {url}: template syntax left in the page")
    assert not failures, "\n".join(failures)
