from django.contrib import admin, messages
from django.db import models

from intake import selectors
from intake.models import (
    ApiClient,
    IntakeRequest,
    NationalScreener,
    Referral,
    RequestEvent,
    RequestMessage,
    Routing,
    WebhookDelivery,
)


def _warn_about_responder_gaps(request) -> None:
    """The daily responder check, shown where an operator fixes it."""
    for line in selectors.responder_gap_lines(selectors.responder_gaps()):
        messages.warning(request, line)


class RequestEventInline(admin.TabularInline):
    model = RequestEvent
    extra = 0
    can_delete = False
    readonly_fields = ["from_status", "to_status", "actor_user", "actor_client", "actor_label", "reason", "created_at"]

    def has_add_permission(self, request, obj=None):
        return False  # history is written by the services only


class RequestMessageInline(admin.TabularInline):
    model = RequestMessage
    extra = 0
    readonly_fields = ["author_user", "author_client", "author_role", "author_label", "body", "created_at"]

    def has_add_permission(self, request, obj=None):
        return False


class RoutingInline(admin.TabularInline):
    model = Routing
    extra = 0
    raw_id_fields = ["facility", "routed_by", "decided_by"]


@admin.register(IntakeRequest)
class IntakeRequestAdmin(admin.ModelAdmin):
    list_display = ["id", "company_name", "status", "institution", "sector", "phase", "deadline_at", "created_at"]
    list_filter = ["status", "sector", "phase", "access_model", "institution"]
    search_fields = ["company_name", "org_number", "contact_name", "email"]
    list_select_related = ["institution"]
    # The status only changes through the services, so the history and rules stay whole.
    readonly_fields = [
        "status",
        "confirmation_token",
        "confirmed_at",
        "deadline_at",
        "paused_working_days",
        "reminded_at",
        "escalated_at",
        "created_at",
        "updated_at",
    ]
    raw_id_fields = ["requester", "submitted_by_client", "preferred_facility", "duplicate_of"]
    inlines = [RoutingInline, RequestMessageInline, RequestEventInline]

    def changelist_view(self, request, extra_context=None):
        _warn_about_responder_gaps(request)
        return super().changelist_view(request, extra_context)


@admin.register(NationalScreener)
class NationalScreenerAdmin(admin.ModelAdmin):
    """The national screening team: it answers every request whose institution has no screener of its own."""

    list_display = ["user", "added_at"]
    raw_id_fields = ["user"]
    search_fields = ["user__email", "user__first_name", "user__last_name"]

    def changelist_view(self, request, extra_context=None):
        _warn_about_responder_gaps(request)
        return super().changelist_view(request, extra_context)


@admin.register(Referral)
class ReferralAdmin(admin.ModelAdmin):
    list_display = ["request", "kind", "name", "referred_by", "created_at"]
    list_filter = ["kind"]
    raw_id_fields = ["request", "referred_by"]


@admin.register(ApiClient)
class ApiClientAdmin(admin.ModelAdmin):
    list_display = ["name", "organisation", "kind", "scopes", "key_prefix", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["kind"]
    search_fields = ["name", "key_prefix", "organisation__name"]
    readonly_fields = [
        "key_prefix", "key_hash", "created_at", "created_by", "rotated_at", "last_used_at", "webhook_secret"
    ]  # fmt: skip
    raw_id_fields = ["organisation"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def has_add_permission(self, request):
        return False  # keys are made on the organisation's page or by `manage.py create_api_client` (shown once)


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ["id", "client", "request", "status", "attempts", "last_status_code", "created_at"]
    list_select_related = ["client", "request"]
    list_filter = ["status", "client"]
    readonly_fields = [f.name for f in WebhookDelivery._meta.fields]


@admin.register(Routing)
class RoutingAdmin(admin.ModelAdmin):
    list_display = ["request", "facility", "status", "routed_at", "decided_at", "proposal_kind"]
    list_filter = ["status", "proposal_kind"]
    raw_id_fields = ["request", "facility", "routed_by", "decided_by"]
