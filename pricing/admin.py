from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.errors import DomainError
from pricing import selectors
from pricing.choices import PriceTier
from pricing.models import CostBase, CostBaseStaffLine, PriceList, PriceListItem


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
    """Applies the state-aid floor in the admin too (the same selectors as pricing.services)."""

    def clean(self):
        super().clean()
        price_list = self.instance
        if not price_list.resource_id or not price_list.valid_from:
            return
        cost_base = selectors.cost_base_for(resource=price_list.resource, year=price_list.valid_from.year)
        if cost_base is None:
            return
        for form in self.forms:
            data = getattr(form, "cleaned_data", None) or {}
            if data.get("DELETE") or data.get("tier") != PriceTier.EXTERNAL_ECONOMIC or data.get("price") is None:
                continue
            floor = selectors.economic_price_floor(cost_base=cost_base, unit=data.get("unit"))
            if floor is not None and data["price"] < floor:
                form.add_error(
                    "price",
                    _("Below the full-cost price of %(floor)s NOK: that would be state aid.") % {"floor": floor},
                )


class PriceListItemInline(admin.TabularInline):
    model = PriceListItem
    formset = PriceListItemFormSet
    extra = 0


class PriceListAdminForm(forms.ModelForm):
    class Meta:
        model = PriceList
        fields = ["resource", "valid_from", "valid_to", "note"]

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
