from django.contrib import admin
from django.db import models

from catalogue.models import (
    Category,
    ContactPerson,
    Facility,
    FacilityManager,
    Institution,
    InstitutionRole,
    NationalInfrastructure,
    Resource,
)

# Web addresses typed without a scheme are https (Django 6's default), and say so now.
URL_FIELD_HTTPS = {models.URLField: {"assume_scheme": "https"}}


class ContactPersonInline(admin.TabularInline):
    model = ContactPerson
    extra = 0


class ResourceInline(admin.TabularInline):
    model = Resource
    extra = 0
    fields = ["kind", "name", "bookable", "is_active"]


class FacilityManagerInline(admin.TabularInline):
    model = FacilityManager
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Institution)
class InstitutionAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name", "kind", "city", "region", "is_demo"]
    list_filter = ["kind", "region", "is_demo"]
    search_fields = ["name", "short_name", "city"]
    prepopulated_fields = {"slug": ["short_name"]}
    formfield_overrides = URL_FIELD_HTTPS


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name_nb", "name_en", "slug"]
    search_fields = ["name_nb", "name_en"]


@admin.register(NationalInfrastructure)
class NationalInfrastructureAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]


@admin.register(Facility)
class FacilityAdmin(admin.ModelAdmin):
    list_display = ["name", "institution", "kind", "city", "status", "last_verified"]
    list_filter = ["status", "kind", "institution", "open_to_industry"]
    search_fields = ["name", "keywords", "institution__name"]
    list_select_related = ["institution"]
    filter_horizontal = ["categories", "national_infrastructures"]
    inlines = [ContactPersonInline, ResourceInline, FacilityManagerInline]
    prepopulated_fields = {"slug": ["name"]}
    formfield_overrides = URL_FIELD_HTTPS


@admin.register(Resource)
class ResourceAdmin(admin.ModelAdmin):
    list_display = ["name", "facility", "kind", "bookable", "is_active"]
    list_filter = ["kind", "bookable", "is_active"]
    search_fields = ["name", "facility__name"]
    list_select_related = ["facility"]


@admin.register(InstitutionRole)
class InstitutionRoleAdmin(admin.ModelAdmin):
    list_display = ["user", "institution", "role"]
    list_filter = ["role", "institution"]
    autocomplete_fields = ["user"]


@admin.register(FacilityManager)
class FacilityManagerAdmin(admin.ModelAdmin):
    list_display = ["user", "facility"]
    autocomplete_fields = ["user", "facility"]
