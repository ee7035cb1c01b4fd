from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from accounts.models import ApiToken, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "kind", "company_name", "institution", "is_staff"]
    list_select_related = ["institution"]
    list_filter = ["kind", "is_staff", "is_active"]
    search_fields = ["email", "first_name", "last_name", "company_name", "org_number"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Person"), {"fields": ("first_name", "last_name", "phone", "language")}),
        (_("Affiliation"), {"fields": ("kind", "company_name", "org_number", "institution")}),
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
