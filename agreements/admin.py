from django.contrib import admin

from agreements.models import AgreementAcceptance, AgreementTemplate


@admin.register(AgreementTemplate)
class AgreementTemplateAdmin(admin.ModelAdmin):
    """Templates are versioned: edit a template only before anyone accepted it; publish a new version otherwise."""

    list_display = ["title_nb", "kind", "institution", "version", "created_at"]
    list_filter = ["kind", "institution"]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.acceptances.exists():
            return [field.name for field in AgreementTemplate._meta.fields]
        return []


@admin.register(AgreementAcceptance)
class AgreementAcceptanceAdmin(admin.ModelAdmin):
    list_display = ["template", "organisation_name", "facility", "accepted_by_name", "price_amount", "accepted_at"]
    list_select_related = ["template", "facility"]
    readonly_fields = [field.name for field in AgreementAcceptance._meta.fields if field.name != "pdf"]

    def has_add_permission(self, request):
        return False  # accepted by the requester on the request's page
