"""Forms of the discussion page: a month's analysis, a comment or a reply."""

from django import forms
from django.utils.translation import gettext_lazy as _


class AnalysisForm(forms.Form):
    """What happened in the month, and what the owner recommends (Markdown)."""

    analysis = forms.CharField(
        label=_("Analysis"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What happened, and why. Markdown: **bold**, *italic*, lists, links."),
    )
    recommendations = forms.CharField(
        label=_("Recommendations"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What should be done, by whom."),
    )


class CommentForm(forms.Form):
    """A comment or a reply; `@username` mentions someone."""

    body = forms.CharField(
        label=_("Comment"),
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Markdown; @username tells that person."),
        error_messages={"required": _("Write the comment.")},
    )
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput)
