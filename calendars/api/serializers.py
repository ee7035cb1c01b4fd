from rest_framework import serializers

from calendars.models import ExternalCalendar
from calendars.selectors import feed_error_message, is_stale


class ExternalCalendarSerializer(serializers.ModelSerializer):
    """A feed as its managers see it: where it is read from, when it was last read, and why the last read failed."""

    stale = serializers.SerializerMethodField(help_text="Not read successfully for EXTERNAL_CALENDARS_STALE_HOURS.")
    error = serializers.SerializerMethodField(help_text="Why the last read failed (null when it succeeded).")

    class Meta:
        model = ExternalCalendar
        fields = ["id", "name", "url", "created_at", "last_attempt_at", "last_success_at", "busy_count", "stale",
                  "error"]  # fmt: skip
        read_only_fields = fields

    def get_stale(self, calendar) -> bool:
        return is_stale(calendar)

    def get_error(self, calendar) -> dict | None:
        if not calendar.error_code:
            return None
        return {
            "code": calendar.error_code,
            "message": feed_error_message(calendar.error_code),
            "detail": calendar.error_detail,
            "since": calendar.error_since and serializers.DateTimeField().to_representation(calendar.error_since),
        }


class ExternalCalendarCreateSerializer(serializers.Serializer):
    url = serializers.CharField(
        max_length=1000,
        help_text="https:// or webcal:// address of the feed (http:// only where private hosts are allowed).",
    )
    name = serializers.CharField(max_length=100, help_text="The source, e.g. the local booking system's name.")
