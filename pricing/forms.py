from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from catalogue.choices import AccessModel
from core.db import MAX_ID
from pricing import services, tdi
from pricing.choices import CapacityUnit, PriceTier, PriceUnit, VatCategory
from pricing.models import CostBase

ZERO = Decimal(0)


def _decimal(label, help_text="", **kwargs):
    return forms.DecimalField(
        label=label, min_value=ZERO, max_digits=16, decimal_places=4, help_text=help_text, **kwargs
    )


class StaffLineForm(forms.Form):
    role = forms.CharField(label=_("Role"), max_length=120, required=False)
    annual_salary = _decimal(_("Annual salary (NOK)"), required=False)
    social_cost_rate = _decimal(_("Social cost rate"), _("For example 0.25 for 25 %."), required=False)
    fte = _decimal(_("FTE share"), _("For example 0.5 for half a position."), required=False)
    indirect_rate_per_fte = _decimal(_("Indirect costs per FTE (NOK/year)"), required=False)

    NUMBERS = ("annual_salary", "social_cost_rate", "fte", "indirect_rate_per_fte")

    def clean(self):
        data = super().clean()
        if any(data.get(name) is not None for name in self.NUMBERS):
            for name in self.NUMBERS:
                if data.get(name) is None and name not in self.errors:
                    self.add_error(name, _("Fill in every figure of a staff line, or none."))
        return data

    def line(self) -> dict | None:
        data = self.cleaned_data
        if not data or data.get("annual_salary") is None:
            return None
        return {name: data[name] for name in ("role", *self.NUMBERS)}


StaffLineFormSet = forms.formset_factory(StaffLineForm, extra=2, max_num=20)


def staff_lines(formset) -> list[dict]:
    return [line for line in (form.line() for form in formset.forms) if line is not None]


class TdiCalculatorForm(forms.Form):
    """The calculator page's inputs; the same figures as the API."""

    area_m2 = _decimal(_("Area (m²)"))
    area_rate_per_m2 = _decimal(_("Area rate per m² (NOK)"), _("NTNU's area rate was NOK 3 004 per m² in 2024."))
    equipment_cost = _decimal(_("Equipment cost (NOK)"))
    depreciation_years = _decimal(_("Depreciation years"))
    research_council_funded = forms.BooleanField(label=_("Equipment funded by the Research Council"), required=False)
    service_contracts = _decimal(_("Service contracts (NOK/year)"))
    consumables = _decimal(_("Consumables (NOK/year)"))
    other_direct_costs = _decimal(_("Other direct operating costs (NOK/year)"))
    capacity_units = _decimal(_("Annual capacity (hours or samples)"))
    internal_share = _decimal(
        _("Internal share of the non-economic price"), _("Between 0 and 1, e.g. 0.35."), max_value=Decimal(1)
    )
    margin = _decimal(_("Margin for economic use"), _("For example 0.05 for 5 %."))

    def inputs(self, staff: list[dict]) -> tdi.TdiInputs:
        return tdi.TdiInputs(
            **self.cleaned_data,
            staff=tuple(tdi.StaffLine(**{k: v for k, v in line.items() if k != "role"}) for line in staff),
        )


class SaveAsCostBaseForm(forms.Form):
    """Where the calculator's figures are saved as a cost base, in the same step: one of the resources the manager
    prices, a year, and what its capacity counts."""

    resource = forms.ModelChoiceField(label=_("Resource"), queryset=None, empty_label=None)
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    capacity_unit = forms.ChoiceField(label=_("Capacity counted in"), choices=CapacityUnit.choices)

    def __init__(self, *args, resources, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["resource"].queryset = resources
        self.fields["resource"].label_from_instance = lambda resource: f"{resource.facility.name} – {resource.name}"


class CostBaseForm(forms.ModelForm):
    class Meta:
        model = CostBase
        fields = list(services.COST_BASE_FIELDS)


def price_field_name(tier: str, unit: str) -> str:
    return f"{tier}__{unit}"


class PriceListForm(forms.Form):
    """Validity and a grid of prices, one optional field per tier and unit (excl. VAT)."""

    valid_from = forms.DateField(label=_("Valid from"), widget=forms.DateInput(attrs={"type": "date"}))
    valid_to = forms.DateField(
        label=_("Valid to"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Last day; empty if open-ended."),
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)
    fixed_fee_quantity = forms.DecimalField(
        label=_("A fixed fee covers"),
        required=False,
        min_value=Decimal("0.01"),
        max_digits=10,
        decimal_places=2,
        help_text=_("How many hours or samples one fixed fee covers; needed for an economic fixed fee."),
    )
    fixed_fee_unit = forms.ChoiceField(
        label=_("counted in"), required=False, choices=[("", "—"), *CapacityUnit.choices]
    )

    HEAD_FIELDS = ("valid_from", "valid_to", "note", "fixed_fee_quantity", "fixed_fee_unit")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for tier, tier_label in PriceTier.choices:
            for unit, unit_label in PriceUnit.choices:
                self.fields[price_field_name(tier, unit)] = forms.DecimalField(
                    label=f"{tier_label} – {unit_label}",
                    required=False,
                    min_value=ZERO,
                    max_digits=12,
                    decimal_places=2,
                )

    def price_rows(self):
        """The price fields grouped by tier, for the template's table."""
        return [
            (tier_label, [self[price_field_name(tier, unit)] for unit, _label in PriceUnit.choices])
            for tier, tier_label in PriceTier.choices
        ]

    @staticmethod
    def units():
        return PriceUnit.choices

    def prices(self) -> dict:
        return {
            (tier, unit): self.cleaned_data.get(price_field_name(tier, unit))
            for tier in PriceTier.values
            for unit in PriceUnit.values
            if self.cleaned_data.get(price_field_name(tier, unit)) is not None
        }

    def head_fields(self):
        """Validity, note and what a fixed fee covers: the fields above the price grid."""
        return [self[name] for name in self.HEAD_FIELDS]

    @staticmethod
    def initial_for(price_list) -> dict:
        initial = {
            "valid_from": price_list.valid_from,
            "valid_to": price_list.valid_to,
            "note": price_list.note,
            "fixed_fee_quantity": price_list.fixed_fee_quantity,
            "fixed_fee_unit": price_list.fixed_fee_unit,
        }
        for item in price_list.items.all():
            initial[price_field_name(item.tier, item.unit)] = item.price
        return initial


class CollaborationAgreementForm(forms.Form):
    """A proposed collaboration agreement: the service checks the rules and names the field at fault."""

    title = forms.CharField(label=_("Project"), max_length=200)
    partner_name = forms.CharField(label=_("Partner organisation"), max_length=200)
    partner_org_number = forms.CharField(label=_("Organisation number of the partner"), max_length=11, required=False)
    description = forms.CharField(
        label=_("What the partners do together"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    valid_from = forms.DateField(label=_("Valid from"), widget=forms.DateInput(attrs={"type": "date"}))
    valid_to = forms.DateField(
        label=_("Valid to"), widget=forms.DateInput(attrs={"type": "date"}), required=False,
        help_text=_("Last day; empty if open-ended."),
    )  # fmt: skip
    effective_collaboration = forms.BooleanField(
        label=_("Both parties contribute to the project and define it together."), required=False
    )
    shared_risk = forms.BooleanField(label=_("Both parties share the risk and the results."), required=False)
    may_publish = forms.BooleanField(label=_("The institution keeps the right to publish the results."), required=False)
    participants = forms.CharField(
        label=_("Other participants (e-mail addresses)"), widget=forms.Textarea(attrs={"rows": 2}), required=False,
        help_text=_("One per line; each must have an account. You are a participant yourself."),
    )  # fmt: skip

    def participant_emails(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data.get("participants", "").replace(",", "\n").splitlines()]


class AgreementDecisionForm(forms.Form):
    """A manager's answer to an agreement: approve, reject (with a reason), name a participant, or end it."""

    ACTIONS = [("approve", _("Approve")), ("reject", _("Reject")), ("add", _("Add participant")), ("end", _("End"))]
    agreement = forms.IntegerField(min_value=1, max_value=MAX_ID, widget=forms.HiddenInput)
    action = forms.ChoiceField(choices=ACTIONS, widget=forms.HiddenInput)
    reason = forms.CharField(label=_("Reason"), max_length=2000, required=False)
    email = forms.EmailField(label=_("E-mail address"), required=False)
    last_day = forms.DateField(label=_("Last day"), widget=forms.DateInput(attrs={"type": "date"}), required=False)


class VatRuleForm(forms.Form):
    """An institution's VAT for sales of one access model; an empty category goes back to the default."""

    access_model = forms.ChoiceField(choices=AccessModel.choices, widget=forms.HiddenInput)  # the page's own select
    category = forms.ChoiceField(
        label=_("VAT category"), choices=[("", _("The default")), *VatCategory.choices], required=False
    )
    rate = forms.DecimalField(
        label=_("VAT rate"), max_digits=5, decimal_places=4, min_value=0, max_value=Decimal("0.9999"), required=False,
        help_text=_("As a fraction: 0.25 for 25 %."),
    )  # fmt: skip
    reason_code = forms.CharField(label=_("Exemption reason code"), max_length=30, required=False)
    reason = forms.CharField(label=_("Reason on the invoice"), max_length=300, required=False)
    note = forms.CharField(label=_("Why the change (for the audit trail)"), max_length=2000, required=False)
