from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from config.errors import DomainError
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


class PriceListItemInlineForm(forms.ModelForm):
    """Applies the state-aid floor in the admin too: the same rule as pricing.services."""

    class Meta:
        model = PriceListItem
        fields = ["unit", "tier", "price"]

    def clean(self):
        data = super().clean()
        price_list = self.instance.price_list if self.instance.price_list_id else getattr(self, "parent", None)
        if price_list is None or data.get("tier") != PriceTier.EXTERNAL_ECONOMIC or data.get("price") is None:
            return data
        cost_base = selectors.cost_base_for(resource=price_list.resource, year=price_list.valid_from.year)
        if cost_base is None:
            return data
        floor = selectors.economic_price_floor(cost_base=cost_base, unit=data.get("unit"))
        if floor is not None and data["price"] < floor:
            raise ValidationError(
                _("Below the full-cost price of %(floor)s NOK: that would be state aid.") % {"floor": floor}
            )
        return data


class PriceListItemInline(admin.TabularInline):
    model = PriceListItem
    form = PriceListItemInlineForm
    extra = 0

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        parent = obj

        class FormSet(formset):
            def _construct_form(self, i, **form_kwargs):
                form = super()._construct_form(i, **form_kwargs)
                form.parent = parent
                return form

        return FormSet


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
