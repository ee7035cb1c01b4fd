from django import forms
from django.utils.translation import gettext_lazy as _


class ExternalCalendarForm(forms.Form):
    name = forms.CharField(
        label=_("Source"), max_length=100, help_text=_("Shown with the busy times, e.g. the local system's name.")
    )
    url = forms.CharField(
        label=_("iCalendar address"),
        max_length=1000,
        help_text=_("The feed your local system publishes: https:// or webcal://."),
    )
