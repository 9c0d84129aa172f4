"""Forms of the review meeting pages. They check the input's shape; the services check the
rules (model validation, the objective of an action item within the meeting's unit, holding
a meeting only once) and their refusals land next to the fields
(`core.forms.add_service_errors`).

Attendees at scale: a meeting of a unit near the root could invite any of thousands of
employees, which no select can list. The form therefore *accepts* anyone of
`selectors.invitable_users(unit)` (the users of the employees of the unit's subtree, the
heads above and within it, the OSM staff), but *lists* them all as checkboxes only while
they are few (`LIST_ALL_UP_TO`); beyond that it lists the usual people
(`selectors.suggested_users`: heads up the chain and right below, the owners of the unit's
objectives and measures, the OSM staff, whoever is already invited) and takes the others by
username or email address in a text field, checked against the same set in one query."""

import re

from django import forms
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from core.widgets import DateInput, DateTimeInput, SearchableSelectMultiple
from scorecards.display import unit_choices
from scorecards.models import StrategyVersion

from .choices import MeetingKind, MeetingStatus
from .models import ActionItem, ReviewMeeting
from .selectors import invitable_users, objectives_for_items, suggested_users

LIST_ALL_UP_TO = 60


def person(user) -> str:
    return user.get_full_name() or user.username


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user):
        return f"{person(user)} ({user.username})"


class PeopleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, user):
        return f"{person(user)} ({user.username})"


class ObjectiveChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, objective):
        return f"{objective.unit.code}.{objective.code} {objective.name}"


class ServiceModelForm(forms.ModelForm):
    """A model form that leaves model validation to the service it feeds (and so does not
    copy its data onto the instance, which the page still shows as it was)."""

    def _post_clean(self):
        pass


# Filtering the meetings list ------------------------------------------------------------------


class MeetingFilterForm(forms.Form):
    """`/reviews/?unit=CODE&kind=&status=&when=`, each optional."""

    WHEN = [("", _("Upcoming and past")), ("upcoming", _("Upcoming")), ("past", _("Past"))]

    unit = forms.ChoiceField(
        required=False,
        label=_("Unit"),
        help_text=_("Meetings of this unit and of the units below it."),
    )
    kind = forms.ChoiceField(
        required=False, label=_("Kind"), choices=[("", _("Any kind")), *MeetingKind.choices]
    )
    status = forms.ChoiceField(
        required=False,
        label=_("Status"),
        choices=[("", _("Any status")), *MeetingStatus.choices],
    )
    when = forms.ChoiceField(required=False, label=_("When"), choices=WHEN)

    def __init__(self, *args, tree, **kwargs):
        super().__init__(*args, **kwargs)
        # Codes, not ids, so a filtered list is a shareable URL; shown in tree order.
        self.fields["unit"].choices = unit_choices(tree, value="code", empty=gettext("All units"))


# Scheduling and changing a meeting ------------------------------------------------------------


class MeetingForm(ServiceModelForm):
    """A meeting's kind, title, date and time, chair and attendees, for a meeting of
    `unit` (the unit is chosen before: `?unit=CODE`, and stays on edit)."""

    chair = PersonChoiceField(
        queryset=None, required=False, label=_("Chair"), empty_label=_("No chair")
    )
    attendees = PeopleChoiceField(
        queryset=None, required=False, label=_("Attendees"), widget=SearchableSelectMultiple
    )
    other_attendees = forms.CharField(
        required=False,
        label=_("Other attendees"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    class Meta:
        model = ReviewMeeting
        fields = ("kind", "title", "scheduled_for", "chair", "attendees")
        widgets = {"scheduled_for": DateTimeInput}
        labels = {"scheduled_for": _("Date and time")}
        help_texts = {"title": _("What the invitation and the briefing book call it.")}

    def __init__(self, *args, unit, **kwargs):
        super().__init__(*args, **kwargs)
        self.unit = unit
        self.fields["scheduled_for"].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
        self.fields["kind"].choices = MeetingKind.choices  # no empty choice: one is required
        chosen = self._chosen_ids()
        invitable = invitable_users(unit)
        suggested = suggested_users(unit, also=chosen)
        self.fields["chair"].queryset = suggested
        attendees = self.fields["attendees"]
        attendees.queryset = invitable | suggested
        self.lists_everyone = invitable.count() <= LIST_ALL_UP_TO
        if self.lists_everyone:
            attendees.help_text = gettext(
                "The people of %(unit)s and the units below it, the heads above it and the OSM "
                "staff."
            ) % {"unit": unit.code}
            del self.fields["other_attendees"]
        else:
            # Set after the queryset (which validates): only the usual people are listed.
            attendees.widget.choices = [(u.pk, attendees.label_from_instance(u)) for u in suggested]
            attendees.help_text = gettext(
                "The heads of %(unit)s, of the units above it and right below it, the owners "
                "of its objectives and measures, the OSM staff and those already invited. Add "
                "anyone else below."
            ) % {"unit": unit.code}
            self.fields["other_attendees"].help_text = gettext(
                "Usernames or email addresses of people of %(unit)s or the units below it (or "
                "heads above it), separated by commas, spaces or new lines."
            ) % {"unit": unit.code}

    def _chosen_ids(self) -> list[int]:
        """Who is already chair or attendee of the meeting (on edit): always listed and
        accepted. Never what was posted: that would let a post invite anyone."""
        if not self.instance.pk:
            return []
        ids = [u.pk for u in self.instance.attendees.all()]
        return [*ids, self.instance.chair_id] if self.instance.chair_id else ids

    def clean_other_attendees(self):
        """Each name must be someone this meeting may invite; unknown ones are named."""
        names = [n for n in re.split(r"[\s,;]+", self.cleaned_data["other_attendees"]) if n]
        if not names:
            return []
        lowered = {n.lower() for n in names}
        found = list(
            self.fields["attendees"]
            .queryset.annotate(lower_username=Lower("username"), lower_email=Lower("email"))
            .filter(Q(lower_username__in=lowered) | Q(lower_email__in=lowered))
        )
        known = {u.username.lower() for u in found} | {u.email.lower() for u in found}
        unknown = [n for n in names if n.lower() not in known]
        if unknown:
            raise forms.ValidationError(
                gettext(
                    "No one %(unit)s may invite is called: %(names)s. Use usernames or email "
                    "addresses of people of the unit or the units below it."
                )
                % {"unit": self.unit.code, "names": ", ".join(unknown)}
            )
        return found

    def meeting_fields(self) -> dict:
        """The cleaned data as the services take it (attendees: everyone chosen)."""
        data = dict(self.cleaned_data)
        others = data.pop("other_attendees", [])
        data["attendees"] = list({u.pk: u for u in [*data["attendees"], *others]}.values())
        return data


class UnitPickForm(forms.Form):
    """The unit of a new meeting, when the link did not name it."""

    unit = forms.ChoiceField(label=_("Unit"), help_text=_("The unit whose scorecard it reviews."))

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = unit_choices(units, value="code")


class MinutesForm(forms.Form):
    """Minutes and decisions: saved as they are, or with the meeting marked held."""

    minutes = forms.CharField(
        required=False,
        label=pgettext_lazy("meeting record", "Minutes"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Who said what: the discussion of the objectives off target and to watch."),
    )
    decisions = forms.CharField(
        required=False,
        label=_("Decisions"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What the meeting decided (turn each into an action item below)."),
    )
    approved_version = forms.ModelChoiceField(
        queryset=StrategyVersion.objects.none(),
        required=False,
        label=_("Approved version of the strategy"),
        help_text=_("The published version of the unit's strategy map this review approved."),
    )

    def __init__(self, *args, meeting: ReviewMeeting, **kwargs):
        super().__init__(*args, **kwargs)
        if meeting.kind == MeetingKind.STRATEGY:
            # Only a strategy review approves a strategy: a version of its own unit's map.
            self.fields["approved_version"].queryset = StrategyVersion.objects.filter(
                unit=meeting.unit_id
            ).defer("content")
        else:
            del self.fields["approved_version"]


# Action items ---------------------------------------------------------------------------------


class ActionItemForm(ServiceModelForm):
    """An action item of `meeting`: title, objective, owner, due date, status. Owners are
    the meeting's attendees and chair and the usual people of its unit (`suggested_users`);
    objectives those of its unit and the units right below it."""

    objective = ObjectiveChoiceField(
        queryset=None,
        required=False,
        label=_("Objective"),
        empty_label=_("No objective in particular"),
    )
    owner = PersonChoiceField(
        queryset=None, required=False, label=_("Owner"), empty_label=_("No owner yet")
    )

    class Meta:
        model = ActionItem
        fields = ("title", "objective", "owner", "due", "status")
        widgets = {"due": DateInput}
        help_texts = {"owner": _("The attendees and chair, and the usual people of the unit.")}

    def __init__(self, *args, meeting, **kwargs):
        super().__init__(*args, **kwargs)
        item = self.instance
        attendee_ids = [u.pk for u in meeting.attendees.all()]
        self.fields["owner"].queryset = suggested_users(
            meeting.unit, also=[*attendee_ids, meeting.chair_id, item.owner_id]
        )
        self.fields["objective"].queryset = objectives_for_items(
            meeting.unit, also=[item.objective_id]
        )


class ActionStatusForm(ServiceModelForm):
    """The status alone: what an item's owner may change."""

    class Meta:
        model = ActionItem
        fields = ("status",)
