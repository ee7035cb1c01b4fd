from django.contrib import admin

from core.models import OutgoingEmail


@admin.register(OutgoingEmail)
class OutgoingEmailAdmin(admin.ModelAdmin):
    """What waits to be sent, and what keeps failing (attempts): read only, the outbox sends and deletes rows."""

    list_display = ("kind", "object_id", "created_at", "send_after", "attempts")
    list_filter = ("kind",)
    ordering = ("send_after", "id")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
