"""Input for the accounting pages and API: a year, or a period and (for EHF) a paying organisation."""

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from accounting.selectors import OSLO, current_year
from core.errors import DomainError


class YearForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100, required=False)

    def clean_year(self):
        return self.cleaned_data.get("year") or current_year()


DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


# Periods lie within the years a YearForm accepts, so no date arithmetic runs off the calendar.
FIRST_DAY, LAST_DAY = datetime.date(2000, 1, 1), datetime.date(2100, 12, 31)


class PeriodForm(forms.Form):
    """A period of dates, both included; the current month unless given."""

    from_date = forms.DateField(label=_("From"), required=False, widget=DATE_INPUT)
    to_date = forms.DateField(label=_("To"), required=False, widget=DATE_INPUT)

    def _within_years(self, value):
        if value is not None and not FIRST_DAY <= value <= LAST_DAY:
            raise forms.ValidationError(
                _("Give a date between %(first)s and %(last)s."),
                params={"first": FIRST_DAY.isoformat(), "last": LAST_DAY.isoformat()},
            )
        return value

    def clean_from_date(self):
        return self._within_years(self.cleaned_data.get("from_date"))

    def clean_to_date(self):
        return self._within_years(self.cleaned_data.get("to_date"))

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        today = datetime.datetime.now(OSLO).date()
        first = cleaned.get("from_date") or today.replace(day=1)
        last = cleaned.get("to_date") or (first.replace(day=28) + datetime.timedelta(days=4)).replace(day=1) - (
            datetime.timedelta(days=1)
        )
        if last < first:
            self.add_error("to_date", _("The end of the period is before its start."))
        elif (last - first).days > 366:
            self.add_error("to_date", _("A period can be at most one year."))
        cleaned["from_date"], cleaned["to_date"] = first, last
        return cleaned


class EhfForm(PeriodForm):
    """What an EHF document is asked for: the payer (its organisation number, or for a payer without one the name
    it booked with and its Peppol address), the kind of document and, where a payer has both, the VAT part."""

    org_number = forms.RegexField(
        label=_("Organisation number of the payer"),
        regex=r"^\d{9}$",
        required=False,
        error_messages={"invalid": _("Enter the nine digits of the organisation number.")},
    )
    payer_name = forms.CharField(
        label=_("Payer without a Norwegian organisation number"), max_length=200, required=False
    )
    invoice_number = forms.CharField(label=_("Invoice number"), max_length=40, required=False)
    buyer_reference = forms.CharField(label=_("Buyer's reference"), max_length=100, required=False)
    document = forms.ChoiceField(
        label=_("Document"),
        choices=[("invoice", _("Invoice")), ("credit_note", _("Credit note"))],
        required=False,
    )
    vat = forms.ChoiceField(
        label=_("VAT"),
        choices=[("", "—"), ("taxable", _("Lines with VAT")), ("outside_scope", _("Lines outside the scope of VAT"))],
        required=False,
    )
    bookings = forms.CharField(
        label=_("Bookings to credit (numbers, comma-separated)"), max_length=2000, required=False
    )
    billing_reference = forms.CharField(label=_("Number of the invoice credited"), max_length=40, required=False)
    buyer_country = forms.RegexField(
        label=_("Country of the buyer"),
        regex=r"^[A-Za-z]{2}$",
        required=False,
        error_messages={"invalid": _("Give the country as two letters (ISO 3166), e.g. SE.")},
    )
    buyer_endpoint = forms.CharField(
        label=_("Peppol address of the buyer (scheme:identifier)"), max_length=60, required=False
    )
    buyer_vat_number = forms.CharField(label=_("VAT number of the buyer"), max_length=30, required=False)

    def clean_bookings(self):
        raw = self.cleaned_data.get("bookings") or ""
        ids = []
        for part in filter(None, (piece.strip() for piece in raw.split(","))):
            if not part.isdecimal() or not 0 < int(part) < 2**63:
                raise forms.ValidationError(_("Give booking numbers separated by commas."))
            ids.append(int(part))
        return tuple(dict.fromkeys(ids))

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not cleaned.get("org_number") and not (cleaned.get("payer_name") or "").strip():
            self.add_error("org_number", _("Give the payer's organisation number (or its name, without one)."))
        return cleaned


# The query parameter names the API and pages use, and the form field each fills.
QUERY_PARAMETERS = {"from": "from_date", "to": "to_date"}


def bind(form_class, query) -> forms.Form:
    """A bound form from query parameters (`from`/`to` are the public names of the period)."""
    data = {QUERY_PARAMETERS.get(key, key): value for key, value in query.items()}
    return form_class(data)


def cleaned_or_raise(form) -> dict:
    """The cleaned data, or a DomainError naming the first field at fault (the API's 400)."""
    if form.is_valid():
        return form.cleaned_data
    public_names = {v: k for k, v in QUERY_PARAMETERS.items()}
    field, errors = next(iter(form.errors.items()))
    raise DomainError(errors[0], field=public_names.get(field, field))


def ehf_invoice_arguments(query) -> dict:
    """The keyword arguments of ehf.invoice_for_payer from query parameters; DomainError naming a bad field."""
    data = cleaned_or_raise(bind(EhfForm, query))
    return {
        "org_number": data["org_number"],
        "payer_name": data["payer_name"].strip(),
        "first_day": data["from_date"],
        "last_day": data["to_date"],
        "invoice_number": data["invoice_number"],
        "buyer_reference": data["buyer_reference"],
        "document": data["document"] or "invoice",
        "vat": data["vat"],
        "bookings": data["bookings"],
        "billing_reference": data["billing_reference"],
        "buyer_country": (data["buyer_country"] or "NO").upper(),
        "buyer_endpoint": data["buyer_endpoint"].strip(),
        "buyer_vat_number": data["buyer_vat_number"],
    }
