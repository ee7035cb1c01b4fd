from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from accounts.models import (
    Affiliation,
    AffiliationEvent,
    ApiToken,
    ClusterMember,
    InstitutionDomain,
    Organisation,
    OrganisationMembership,
    User,
)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "kind", "institution", "is_staff"]
    list_select_related = ["institution"]
    list_filter = ["kind", "is_staff", "is_active"]
    search_fields = ["email", "first_name", "last_name", "memberships__organisation__name"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Person"), {"fields": ("first_name", "last_name", "phone", "language")}),
        (_("Affiliation"), {"fields": ("kind", "institution")}),
        (_("Permissions"), {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Platform admins see and revoke (delete) personal API tokens; nobody makes one here or sees a secret."""

    list_display = ["user", "name", "key_hint", "created", "expiry"]
    list_select_related = ["user"]
    search_fields = ["user__email", "name", "token_key"]
    readonly_fields = ["user", "name", "token_key", "created", "expiry"]
    fields = readonly_fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class MembershipInline(admin.TabularInline):
    model = OrganisationMembership
    fk_name = "organisation"
    extra = 0
    raw_id_fields = ["user", "decided_by"]
    readonly_fields = ["state", "decided_at", "decided_by", "claimed_name"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    """Platform admins set an organisation's kind (company, cluster, TTO); the register fills the rest, and
    members are approved in the portal (so that every decision goes through the same rule)."""

    list_display = ["name", "org_number", "kind", "register_state", "vat_registered", "nace_code"]
    list_filter = ["kind", "register_state", "vat_registered"]
    search_fields = ["name", "org_number"]
    readonly_fields = ["register_state", "register_checked_at", "register_note", "created_at"]
    inlines = [MembershipInline]


@admin.register(Affiliation)
class AffiliationAdmin(admin.ModelAdmin):
    """Read-only: affiliations are decided in the portal, where every step is recorded."""

    list_display = ["user", "institution", "state", "method", "claimed_at", "decided_at"]
    list_filter = ["state", "method", "institution"]
    list_select_related = ["user", "institution"]
    search_fields = ["user__email"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(AffiliationEvent)
class AffiliationEventAdmin(AffiliationAdmin):
    list_display = ["at", "user", "institution", "action", "method", "actor"]
    list_filter = ["action", "method"]
    list_select_related = ["user", "institution", "actor"]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(InstitutionDomain)
class InstitutionDomainAdmin(admin.ModelAdmin):
    list_display = ["domain", "institution", "added_by", "added_at"]
    list_select_related = ["institution", "added_by"]
    search_fields = ["domain"]
    readonly_fields = ["added_by", "added_at"]


@admin.register(ClusterMember)
class ClusterMemberAdmin(admin.ModelAdmin):
    """Member companies of clusters and TTOs; whether each shares its requests is the company's decision (its
    page), shown here read-only."""

    list_display = ["cluster", "company", "shares_requests", "added_at"]
    list_filter = ["shares_requests"]
    search_fields = ["cluster__name", "company__name", "company__org_number"]
    raw_id_fields = ["cluster", "company", "added_by"]
    readonly_fields = ["shares_requests", "sharing_decided_by", "sharing_decided_at", "added_at"]
