from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.errors import DomainError
from pricing import selectors, services
from pricing.choices import PriceTier
from pricing.models import CollaborationAgreement, CostBase, CostBaseStaffLine, PriceList, PriceListItem, VatRuleChange


class CostBaseStaffLineInline(admin.TabularInline):
    model = CostBaseStaffLine
    extra = 0


@admin.register(CostBase)
class CostBaseAdmin(admin.ModelAdmin):
    list_display = ["resource", "year", "capacity_units", "capacity_unit", "margin", "full_cost_unit_price"]
    list_filter = ["year", "capacity_unit", "research_council_funded"]
    search_fields = ["resource__name", "resource__facility__name"]
    list_select_related = ["resource"]
    raw_id_fields = ["resource"]
    inlines = [CostBaseStaffLineInline]

    @admin.display(description=_("full-cost unit price"))
    def full_cost_unit_price(self, obj):
        try:
            return selectors.cost_base_result(obj).full_cost_unit_price
        except DomainError:
            return "–"

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("staff_lines")


class PriceListItemFormSet(forms.BaseInlineFormSet):
    """Applies the full-cost floor in the admin too (the same selectors as pricing.services.price_list_save)."""

    def clean(self):
        super().clean()
        price_list = self.instance
        if not price_list.resource_id or not price_list.valid_from:
            return
        cost_bases = None
        for form in self.forms:
            data = getattr(form, "cleaned_data", None) or {}
            if data.get("DELETE") or data.get("tier") != PriceTier.EXTERNAL_ECONOMIC or data.get("price") is None:
                continue
            if cost_bases is None:
                cost_bases = selectors.cost_bases_covering(
                    resource=price_list.resource, first_day=price_list.valid_from, last_day=price_list.valid_to
                )
            breach = selectors.economic_price_breach(
                cost_bases=cost_bases,
                unit=data.get("unit"),
                price=data["price"],
                price_field="price",
                fixed_fee_quantity=price_list.fixed_fee_quantity,
                fixed_fee_unit=price_list.fixed_fee_unit,
            )
            if breach is not None:
                message = selectors.floor_breach_message(
                    reason=breach.reason,
                    unit=data.get("unit"),
                    price=data["price"],
                    floor=breach.floor,
                    cost_base_year=breach.cost_base_year,
                    capacity_unit=breach.capacity_unit,
                )
                form.add_error("price", message)


class PriceListItemInline(admin.TabularInline):
    model = PriceListItem
    formset = PriceListItemFormSet
    extra = 0
    readonly_fields = ["blocked_reason", "blocked_floor", "blocked_cost_base_year"]


class PriceListAdminForm(forms.ModelForm):
    class Meta:
        model = PriceList
        fields = ["resource", "valid_from", "valid_to", "note", "fixed_fee_quantity", "fixed_fee_unit"]

    def clean(self):
        data = super().clean()
        if data.get("resource") and data.get("valid_from"):
            other = selectors.overlapping_price_list(
                resource=data["resource"],
                valid_from=data["valid_from"],
                valid_to=data.get("valid_to"),
                exclude=self.instance,
            )
            if other is not None:
                raise ValidationError(_("The validity overlaps the price list %(other)s.") % {"other": other})
        return data


@admin.register(PriceList)
class PriceListAdmin(admin.ModelAdmin):
    form = PriceListAdminForm
    list_display = ["resource", "valid_from", "valid_to", "note"]
    list_filter = ["valid_from"]
    search_fields = ["resource__name", "resource__facility__name"]
    list_select_related = ["resource"]
    raw_id_fields = ["resource"]
    inlines = [PriceListItemInline]

    def save_related(self, request, form, formsets, change):
        """Prices saved here passed the floor: re-check the resource's lists so that a block they had is lifted."""
        super().save_related(request, form, formsets, change)
        services.price_lists_floor_recheck(resource=form.instance.resource)


@admin.register(CollaborationAgreement)
class CollaborationAgreementAdmin(admin.ModelAdmin):
    """Agreements are proposed and decided on the portal or the API (pricing.services): read here."""

    list_display = ("title", "partner_name", "facility", "status", "valid_from", "valid_to")
    list_filter = ("status",)
    list_select_related = ("facility",)
    search_fields = ("title", "partner_name", "partner_org_number")
    readonly_fields = [field.name for field in CollaborationAgreement._meta.concrete_fields] + ["participants"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(VatRuleChange)
class VatRuleChangeAdmin(admin.ModelAdmin):
    """The audit trail of the institutions' VAT tables: never changed by hand."""

    list_display = ("at", "institution", "access_model", "actor")
    list_select_related = ("institution", "actor")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
