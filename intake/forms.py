from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from booking.choices import Frequency
from catalogue.choices import PublicationStatus
from catalogue.models import Facility, Institution, Resource
from core.validators import normalise_org_number, validate_org_number
from intake.choices import (
    AgreementType,
    CloseReason,
    DeclineReason,
    ProposalKind,
    QuoteUnit,
    ReferralKind,
    Scope,
)
from intake.models import IntakeRequest


def facility_label(facility) -> str:
    """Facility names repeat across institutions (several "Forskningsposten"), so the institution goes with it."""
    institution = facility.institution
    return f"{facility.name} – {institution.short_name or institution.name}"


def _published_facilities():
    return (
        Facility.objects.filter(status=PublicationStatus.PUBLISHED)
        .select_related("institution")
        .order_by("institution__name", "name")
    )


class IntakeRequestForm(forms.ModelForm):
    # Wider than the stored 9 digits so that "988 077 917" can be typed; clean_org_number compacts it.
    org_number = forms.CharField(label=_("Organisation number"), max_length=20)

    class Meta:
        model = IntakeRequest
        fields = list(IntakeRequest.REQUESTER_FIELDS)
        widgets = {"description": forms.Textarea(attrs={"rows": 6})}
        help_texts = {
            "preferred_institution": _("Leave empty if you do not know: the national contact point will help."),
            "timeframe": _("For example: within three months, spring 2027."),
        }

    def __init__(self, *args, member_companies=None, **kwargs):
        super().__init__(*args, **kwargs)
        if member_companies is not None and member_companies.exists():
            # A cluster's or TTO's staff send requests for a member company: its registered name and number.
            self.fields = {
                "on_behalf_of": forms.ModelChoiceField(
                    label=_("On behalf of a member company"),
                    queryset=member_companies,
                    required=False,
                    empty_label=_("— no, for my own organisation —"),
                    help_text=_("The company's registered name and number are used; your cluster is the sender."),
                ),
                **self.fields,
            }
            self.fields["company_name"].required = self.fields["org_number"].required = False
        self.fields["preferred_facility"].queryset = _published_facilities()
        self.fields["preferred_facility"].label_from_instance = facility_label
        self.fields["consent_to_share"].required = True
        self.fields["org_number"].help_text = _("9 digits, for example 988 077 917.")

    def clean_org_number(self):
        value = normalise_org_number(self.cleaned_data["org_number"])
        if not value and "on_behalf_of" in self.fields:
            return value  # checked in clean(): needed only without a member company
        validate_org_number(value)
        return value

    def clean(self):
        cleaned = super().clean()
        if "on_behalf_of" in self.fields and not cleaned.get("on_behalf_of"):
            for name in ("company_name", "org_number"):
                if name not in self.errors and not cleaned.get(name):
                    self.add_error(name, forms.ValidationError(_("This field is required."), code="required"))
        return cleaned


class MessageForm(forms.Form):
    message = forms.CharField(label=_("Message"), widget=forms.Textarea(attrs={"rows": 4}))


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("Why (optional)"), required=False)


class ChecklistForm(forms.Form):
    check_need_clear = forms.BooleanField(label=_("The need is clear"), required=False)
    check_timeframe_realistic = forms.BooleanField(label=_("The timeframe is realistic"), required=False)
    check_funding_plausible = forms.BooleanField(label=_("Funding is plausible"), required=False)
    check_fits_institution = forms.BooleanField(label=_("Fits what the institution has"), required=False)


class RouteForm(forms.Form):
    """The screener's routing: one or more facilities, ticked (no Ctrl-click), the request's best matches first."""

    facilities = forms.ModelMultipleChoiceField(
        label=_("Facilities"),
        queryset=_published_facilities(),
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, suggested=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["facilities"].label_from_instance = facility_label
        self.suggested = list(suggested)

    def picker(self) -> dict:
        """What the picker shows: the suggested facilities, then every other published one, each as
        {id, label, terms (what the filter box matches), checked}."""
        chosen = {str(value) for value in (self["facilities"].value() or [])}
        suggested_ids = {facility.pk for facility in self.suggested}

        def option(facility) -> dict:
            terms = " ".join([facility.name, facility.institution.name, facility.institution.short_name or "",
                              facility.city or "", facility.keywords or ""]).lower()  # fmt: skip
            return {"id": facility.pk, "label": facility_label(facility), "terms": terms,
                    "checked": str(facility.pk) in chosen}  # fmt: skip

        return {
            "suggested": [option(facility) for facility in self.suggested],
            "others": [option(f) for f in self.fields["facilities"].queryset if f.pk not in suggested_ids],
        }

    note = forms.CharField(label=_("Note to the facilities"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class AssignForm(forms.Form):
    institution = forms.ModelChoiceField(label=_("Institution"), queryset=Institution.objects.all())
    note = forms.CharField(label=_("Why (shown in the history)"), required=False)


class ReferForm(forms.Form):
    kind = forms.ChoiceField(label=_("Refer to"), choices=ReferralKind.choices)
    name = forms.CharField(label=_("Name"), max_length=200)
    contact = forms.CharField(label=_("How to reach them"), max_length=300, required=False)
    note = forms.CharField(label=_("Note to the requester"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class NoteForm(forms.Form):
    message = forms.CharField(
        label=_("Internal note"),
        help_text=_("Seen by the screeners and your facility, never by the requester."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class AnswererForm(forms.Form):
    answered_by = forms.CharField(label=_("Your name"), max_length=200)


class DeclineForm(forms.Form):
    reason = forms.ChoiceField(label=_("Reason"), choices=DeclineReason.choices)
    comment = forms.CharField(label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    routing = forms.IntegerField(required=False, widget=forms.HiddenInput)


class CloseForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Close as"),
        choices=[
            (CloseReason.DUPLICATE, CloseReason.DUPLICATE.label),
            (CloseReason.SPAM, CloseReason.SPAM.label),
            (CloseReason.COMPLETED, CloseReason.COMPLETED.label),
        ],
    )
    duplicate_of = forms.IntegerField(label=_("Duplicate of request number"), required=False, min_value=1)
    comment = forms.CharField(label=_("Comment"), required=False)


class AcceptForm(forms.Form):
    routing = forms.IntegerField(widget=forms.HiddenInput)
    proposal_kind = forms.ChoiceField(label=_("We propose"), choices=ProposalKind.choices)
    agreement_type = forms.ChoiceField(
        label=_("Agreement type"), choices=[("", "—"), *AgreementType.choices], required=False
    )
    booking_id = forms.IntegerField(label=_("Booking number"), required=False, min_value=1)
    quote_amount = forms.DecimalField(
        label=_("Quoted amount excl. VAT (NOK)"), required=False, min_value=0, max_digits=12, decimal_places=2
    )
    # What a quoted amount covers: it may not be below full cost plus the minimum margin of that.
    quote_quantity = forms.DecimalField(
        label=_("The amount covers"), required=False, min_value=Decimal("0.01"), max_digits=10, decimal_places=2
    )
    quote_unit = forms.ChoiceField(label=_("counted in"), required=False, choices=[("", "—"), *QuoteUnit.choices])
    quote_resource = forms.IntegerField(label=_("of the resource"), required=False, min_value=1)
    # A booking proposal: the time of the (first) booking; the requester's acceptance makes it.
    slot_start = forms.DateTimeField(
        label=_("Booking from"), required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    slot_end = forms.DateTimeField(
        label=_("Booking to"), required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    series_frequency = forms.ChoiceField(
        label=_("Repeats"), required=False, choices=[("", _("does not repeat")), *Frequency.choices]
    )
    series_count = forms.IntegerField(label=_("Number of times"), required=False, min_value=2)
    proposal_text = forms.CharField(label=_("Proposal"), required=False, widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, resources=None, **kwargs):
        super().__init__(*args, **kwargs)
        if resources is not None:  # offer the facility's resources by name (the service checks the number anyway)
            self.fields["quote_resource"].widget = forms.Select(choices=[("", "—"), *resources])


def quote_resource_choices(facility_ids) -> dict[int, list[tuple[int, str]]]:
    """{facility id: [(resource id, name), ...]} of the active resources of those facilities, in one query, for
    the answer forms' "of the resource" list."""
    choices: dict[int, list[tuple[int, str]]] = {facility_id: [] for facility_id in facility_ids}
    if choices:
        for facility_id, pk, name in (
            Resource.objects.filter(facility_id__in=choices, is_active=True)
            .order_by("name")
            .values_list("facility_id", "pk", "name")
        ):
            choices[facility_id].append((pk, name))
    return choices


class ApiKeyForm(forms.Form):
    """A new organisation key: what uses it, and what it may do."""

    name = forms.CharField(
        label=_("Name"), max_length=200, help_text=_("What uses the key, e.g. our CRM. Shown only to you.")
    )
    scopes = forms.MultipleChoiceField(
        label=_("The key may"),
        choices=Scope.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=[Scope.CATALOGUE_READ, Scope.INTAKE_READ],
    )


class WebhookForm(forms.Form):
    url = forms.URLField(
        label=_("Webhook address"),
        required=False,
        assume_scheme="https",
        help_text=_("We POST each status change of your requests here, signed with the secret. Empty: switched off."),
    )
