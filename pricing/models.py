from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from catalogue.choices import AccessModel
from core.validators import validate_org_number
from pricing import tdi
from pricing.choices import AgreementStatus, CapacityUnit, FloorBreach, PriceTier, PriceUnit, VatCategory

ZERO = Decimal(0)


def _money(verbose_name, **kwargs):
    return models.DecimalField(
        verbose_name, max_digits=14, decimal_places=2, default=ZERO, validators=[MinValueValidator(ZERO)], **kwargs
    )


def _not_negative(model_name: str, *fields: str) -> list[models.CheckConstraint]:
    return [
        models.CheckConstraint(
            condition=Q(**{f"{name}__gte": 0}),
            name=f"pricing_{model_name}_{name}_not_negative",
            violation_error_message=_("Amounts and rates cannot be negative."),
        )
        for name in fields
    ]


class CostBase(models.Model):
    """A resource's yearly TDI cost base as the facility manager enters it; the full-cost price follows from it."""

    resource = models.ForeignKey(
        "catalogue.Resource", verbose_name=_("resource"), on_delete=models.CASCADE, related_name="cost_bases"
    )
    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    area_m2 = models.DecimalField(
        _("area (m²)"), max_digits=10, decimal_places=2, default=ZERO, validators=[MinValueValidator(ZERO)]
    )
    area_rate_per_m2 = _money(_("area rate per m² (NOK)"))
    equipment_cost = _money(_("equipment cost (NOK)"))
    depreciation_years = models.DecimalField(
        _("depreciation years"),
        max_digits=5,
        decimal_places=2,
        default=Decimal(10),
        validators=[MinValueValidator(ZERO)],
    )
    research_council_funded = models.BooleanField(
        _("equipment funded by the Research Council"),
        default=False,
        help_text=_("Its depreciation is then left out of the non-economic (internal and external) prices."),
    )
    service_contracts = _money(_("service contracts (NOK)"))
    consumables = _money(_("consumables (NOK)"))
    other_direct_costs = _money(_("other direct operating costs (NOK)"))
    capacity_units = models.DecimalField(
        _("annual capacity"), max_digits=10, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    capacity_unit = models.CharField(
        _("capacity counted in"), max_length=8, choices=CapacityUnit.choices, default=CapacityUnit.HOUR
    )
    internal_share = models.DecimalField(
        _("internal share of the non-economic price"),
        max_digits=4,
        decimal_places=3,
        default=Decimal(1),
        validators=[MinValueValidator(ZERO), MaxValueValidator(Decimal(1))],
        help_text=_("The fraction of the non-economic price internal users pay, e.g. 0.35."),
    )
    margin = models.DecimalField(
        _("margin for economic use"),
        max_digits=5,
        decimal_places=3,
        default=Decimal("0.05"),
        validators=[MinValueValidator(ZERO)],
        help_text=_("For example 0.05 for 5 %."),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["resource", "-year"]
        verbose_name = _("cost base")
        verbose_name_plural = _("cost bases")
        constraints = [
            models.UniqueConstraint(
                fields=["resource", "year"],
                name="pricing_costbase_one_per_year",
                violation_error_message=_("The resource already has a cost base for this year."),
            ),
            models.CheckConstraint(
                condition=Q(capacity_units__gt=0),
                name="pricing_costbase_capacity_positive",
                violation_error_message=_("The annual capacity must be more than zero."),
            ),
            models.CheckConstraint(
                condition=Q(internal_share__gte=0, internal_share__lte=1),
                name="pricing_costbase_internal_share_range",
                violation_error_message=_("The internal share is a fraction between 0 and 1."),
            ),
            *_not_negative(
                "costbase",
                "area_m2",
                "area_rate_per_m2",
                "equipment_cost",
                "depreciation_years",
                "service_contracts",
                "consumables",
                "other_direct_costs",
                "margin",
            ),
        ]

    def __str__(self):
        return f"{self.resource} {self.year}"

    def tdi_inputs(self, staff_lines=None) -> tdi.TdiInputs:
        staff_lines = self.staff_lines.all() if staff_lines is None else staff_lines
        return tdi.TdiInputs(
            area_m2=self.area_m2,
            area_rate_per_m2=self.area_rate_per_m2,
            equipment_cost=self.equipment_cost,
            depreciation_years=self.depreciation_years,
            research_council_funded=self.research_council_funded,
            service_contracts=self.service_contracts,
            consumables=self.consumables,
            other_direct_costs=self.other_direct_costs,
            capacity_units=self.capacity_units,
            internal_share=self.internal_share,
            margin=self.margin,
            staff=tuple(line.as_tdi() for line in staff_lines),
        )


class CostBaseStaffLine(models.Model):
    """One person's or role's share of the staff cost in a cost base."""

    cost_base = models.ForeignKey(
        CostBase, verbose_name=_("cost base"), on_delete=models.CASCADE, related_name="staff_lines"
    )
    role = models.CharField(_("role"), max_length=120, blank=True)
    annual_salary = _money(_("annual salary (NOK)"))
    social_cost_rate = models.DecimalField(
        _("social cost rate"),
        max_digits=5,
        decimal_places=4,
        default=Decimal("0.25"),
        validators=[MinValueValidator(ZERO)],
        help_text=_("Employer's costs as a fraction of salary, e.g. 0.25."),
    )
    fte = models.DecimalField(
        _("FTE share"), max_digits=5, decimal_places=3, default=Decimal(1), validators=[MinValueValidator(ZERO)]
    )
    indirect_rate_per_fte = _money(_("indirect costs per FTE (NOK/year)"))

    class Meta:
        ordering = ["cost_base", "id"]
        verbose_name = _("staff line")
        verbose_name_plural = _("staff lines")
        constraints = _not_negative("staffline", "annual_salary", "social_cost_rate", "fte", "indirect_rate_per_fte")

    def __str__(self):
        return self.role or str(_("staff line"))

    def as_tdi(self) -> tdi.StaffLine:
        return tdi.StaffLine(
            annual_salary=self.annual_salary,
            social_cost_rate=self.social_cost_rate,
            fte=self.fte,
            indirect_rate_per_fte=self.indirect_rate_per_fte,
        )


class PriceList(models.Model):
    """A resource's prices for a period. Validity periods of one resource never overlap (on PostgreSQL an
    exclusion constraint, added in the migration, guards it too); the list valid at a booking's start applies,
    so a new year's list never changes bookings already made."""

    resource = models.ForeignKey(
        "catalogue.Resource", verbose_name=_("resource"), on_delete=models.CASCADE, related_name="price_lists"
    )
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True, help_text=_("Last day; empty if open-ended."))
    note = models.CharField(_("note"), max_length=200, blank=True)
    # What one fixed fee of the list buys, in the unit the cost base counts: an economic fixed fee is checked
    # against the full cost of that many hours or samples.
    fixed_fee_quantity = models.DecimalField(
        _("a fixed fee covers"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01"))],
        help_text=_("How many hours or samples one fixed fee covers."),
    )
    fixed_fee_unit = models.CharField(
        _("counted in"), max_length=8, choices=CapacityUnit.choices, blank=True
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["resource", "valid_from"]
        verbose_name = _("price list")
        verbose_name_plural = _("price lists")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="pricing_pricelist_valid_to_after_from",
                violation_error_message=_("A price list cannot end before it starts."),
            ),
            models.CheckConstraint(
                condition=Q(fixed_fee_quantity__isnull=True) | Q(fixed_fee_quantity__gt=0),
                name="pricing_pricelist_fixed_fee_quantity_positive",
                violation_error_message=_("A fixed fee covers more than nothing."),
            ),
        ]

    def __str__(self):
        end = self.valid_to.isoformat() if self.valid_to else "…"
        return f"{self.resource} {self.valid_from.isoformat()}–{end}"

    @property
    def blocked_items(self) -> list["PriceListItem"]:
        """The prices of the list that cannot be booked until the manager corrects them (uses prefetched items)."""
        return [item for item in self.items.all() if item.blocked_reason]


class PriceListItem(models.Model):
    """One price in a price list: per unit and tier, in NOK excluding VAT."""

    price_list = models.ForeignKey(
        PriceList, verbose_name=_("price list"), on_delete=models.CASCADE, related_name="items"
    )
    unit = models.CharField(_("unit"), max_length=16, choices=PriceUnit.choices)
    tier = models.CharField(_("tier"), max_length=32, choices=PriceTier.choices)
    price = models.DecimalField(
        _("price excl. VAT (NOK)"), max_digits=12, decimal_places=2, validators=[MinValueValidator(ZERO)]
    )
    # Set when a later cost base puts this economic price under the full-cost floor (or leaves it without one to
    # be checked against): no booking is made at it until the manager saves the list again. Empty otherwise.
    blocked_reason = models.CharField(
        _("blocked because"), max_length=24, choices=FloorBreach.choices, blank=True
    )
    blocked_floor = models.DecimalField(
        _("lowest allowed price (NOK)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    blocked_cost_base_year = models.PositiveSmallIntegerField(_("cost base year"), null=True, blank=True)

    class Meta:
        ordering = ["price_list", "tier", "unit"]
        verbose_name = _("price")
        verbose_name_plural = _("prices")
        constraints = [
            models.UniqueConstraint(
                fields=["price_list", "unit", "tier"],
                name="pricing_pricelistitem_one_per_unit_tier",
                violation_error_message=_("The price list already has a price for this unit and tier."),
            ),
            *_not_negative("pricelistitem", "price"),
        ]

    def __str__(self):
        return f"{self.get_tier_display()} / {self.get_unit_display()}: {self.price}"


class CollaborationAgreement(models.Model):
    """An agreement on collaboration (contribution) research between a facility and a partner outside its
    institution: effective collaboration, shared risk, and the institution may publish the results. Once the
    facility's manager approves it, its participants use the facility as collaboration research: non-economic,
    at full cost, outside the scope of VAT (pricing.terms). Bookings under it record it.

    A company never makes its own use non-economic: only an approved agreement whose participants include the
    person does, and only while it is valid.
    """

    facility = models.ForeignKey(
        "catalogue.Facility", verbose_name=_("facility"), on_delete=models.CASCADE,
        related_name="collaboration_agreements",
    )  # fmt: skip
    title = models.CharField(_("project"), max_length=200)
    description = models.TextField(_("what the partners do together"), blank=True)
    partner_name = models.CharField(_("partner organisation"), max_length=200)
    partner_org_number = models.CharField(
        _("organisation number of the partner"), max_length=9, blank=True, validators=[validate_org_number]
    )
    participants = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("participants"), related_name="collaboration_agreements",
        blank=True,
    )  # fmt: skip
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True, help_text=_("Last day; empty if open-ended."))
    effective_collaboration = models.BooleanField(
        _("effective collaboration"), default=False,
        help_text=_("Both parties contribute to the project and define it together."),
    )  # fmt: skip
    shared_risk = models.BooleanField(
        _("shared risk and results"), default=False, help_text=_("Both parties share the risk and the results.")
    )
    may_publish = models.BooleanField(
        _("the institution may publish"), default=False,
        help_text=_("The institution keeps the right to publish the results."),
    )  # fmt: skip
    status = models.CharField(
        _("status"), max_length=16, choices=AgreementStatus.choices, default=AgreementStatus.PROPOSED
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("proposed by"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    created_at = models.DateTimeField(_("proposed"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("decided by"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_reason = models.TextField(_("reason"), blank=True)

    class Meta:
        ordering = ["facility", "-valid_from", "id"]
        verbose_name = _("collaboration agreement")
        verbose_name_plural = _("collaboration agreements")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="pricing_agreement_valid_to_after_from",
                violation_error_message=_("An agreement cannot end before it starts."),
            ),
            models.CheckConstraint(
                condition=~Q(status=AgreementStatus.APPROVED)
                | Q(effective_collaboration=True, shared_risk=True, may_publish=True),
                name="pricing_agreement_approved_only_as_collaboration",
                violation_error_message=_(
                    "Only an agreement on effective collaboration with shared risk, where the institution may "
                    "publish, can be approved."
                ),
            ),
        ]

    def __str__(self):
        return f"{self.title} ({self.partner_name})"


class VatRule(models.Model):
    """An institution's own VAT treatment of sales of one access model, overriding the default of pricing.terms
    (its tax office decides). Every change is kept in VatRuleChange."""

    institution = models.ForeignKey(
        "catalogue.Institution", verbose_name=_("institution"), on_delete=models.CASCADE, related_name="vat_rules"
    )
    access_model = models.CharField(_("access model"), max_length=16, choices=AccessModel.choices)
    category = models.CharField(_("VAT category"), max_length=1, choices=VatCategory.choices)
    rate = models.DecimalField(
        _("VAT rate"), max_digits=5, decimal_places=4,
        validators=[MinValueValidator(ZERO), MaxValueValidator(Decimal("0.9999"))],
        help_text=_("As a fraction: 0.25 for 25 %."),
    )  # fmt: skip
    reason_code = models.CharField(
        _("exemption reason code"), max_length=30, blank=True, help_text=_("A VATEX code, e.g. VATEX-EU-O.")
    )
    reason = models.CharField(
        _("reason on the invoice"), max_length=300, blank=True,
        help_text=_("Required for exempt and outside the scope, e.g. the section of the VAT act."),
    )  # fmt: skip
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["institution", "access_model"]
        verbose_name = _("VAT rule")
        verbose_name_plural = _("VAT rules")
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "access_model"],
                name="pricing_vatrule_one_per_access_model",
                violation_error_message=_("The institution already has a VAT rule for this access model."),
            ),
            models.CheckConstraint(
                condition=Q(rate__gte=0, rate__lt=1), name="pricing_vatrule_rate_range",
                violation_error_message=_("The VAT rate is a fraction from 0 to below 1."),
            ),  # fmt: skip
        ]

    def __str__(self):
        return f"{self.institution} {self.get_access_model_display()}: {self.category}"


class VatRuleChange(models.Model):
    """One change of an institution's VAT table: who, when, the access model, and the rule before and after
    (empty: the default applied)."""

    institution = models.ForeignKey(
        "catalogue.Institution", verbose_name=_("institution"), on_delete=models.CASCADE,
        related_name="vat_rule_changes",
    )  # fmt: skip
    access_model = models.CharField(_("access model"), max_length=16, choices=AccessModel.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    at = models.DateTimeField(_("when"), auto_now_add=True)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    note = models.TextField(_("why"), blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("VAT rule change")
        verbose_name_plural = _("VAT rule changes")

    def __str__(self):
        return f"{self.institution} {self.access_model} {self.at:%Y-%m-%d}"
