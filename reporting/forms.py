"""The period of the statistics page: a year (those with figures, and this one) and optionally a quarter."""

from django import forms
from django.utils.translation import gettext_lazy as _

from reporting import selectors


class PeriodForm(forms.Form):
    year = forms.TypedChoiceField(label=_("Year"), coerce=int, required=False)
    quarter = forms.TypedChoiceField(
        label=_("Period"),
        coerce=int,
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        years = sorted({*selectors.statistics_years(), selectors.last_year()}, reverse=True)
        self.fields["year"].choices = [(year, str(year)) for year in years]
        self.fields["quarter"].choices = [(0, _("The whole year"))] + [
            (number, quarter_label(number)) for number in (1, 2, 3, 4)
        ]


def quarter_label(number: int) -> str:
    return _("Quarter %(number)s") % {"number": number}

    def clean(self):
        cleaned = super().clean()
        if not self.errors:
            cleaned["year"] = cleaned.get("year") or selectors.last_year()
            cleaned["quarter"] = cleaned.get("quarter") or 0
        return cleaned
