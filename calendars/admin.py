from django.contrib import admin

from calendars.models import ExternalCalendar


@admin.register(ExternalCalendar)
class ExternalCalendarAdmin(admin.ModelAdmin):
    list_display = ["name", "resource", "last_success_at", "error_code", "busy_count"]
    list_filter = ["error_code"]
    list_select_related = ["resource"]
    search_fields = ["name", "resource__name", "url"]
    raw_id_fields = ["resource", "created_by"]
    readonly_fields = [
        "last_attempt_at", "last_success_at", "error_code", "error_detail", "error_since", "etag", "last_modified",
        "expanded_until", "busy_count", "stale_notified_at",
    ]  # fmt: skip
