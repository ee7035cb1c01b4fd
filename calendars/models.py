import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from calendars.choices import FeedErrorCode

# Busy time is stored in pieces of at most this length, so that "does anything overlap [a, b)" reads a bounded
# range of the (resource, start) index: only pieces that start after a - MAX_PIECE can reach into it.
MAX_PIECE = datetime.timedelta(days=1)


class ExternalCalendar(models.Model):
    """An iCalendar feed that a facility's own booking system (BookitLab, LibreBooking, Outlook, Google, ...)
    publishes for one resource. Its busy times count wherever Labtorget computes availability.

    The feed is read by the periodic sync; a failing feed keeps its last busy times, and says since when and why.
    """

    resource = models.ForeignKey(
        "catalogue.Resource",
        verbose_name=_("resource"),
        on_delete=models.CASCADE,
        related_name="external_calendars",
    )
    name = models.CharField(
        _("source"), max_length=100, help_text=_("Shown with the busy times, e.g. the name of the local system.")
    )
    url = models.URLField(_("iCalendar address"), max_length=1000)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("added by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("added"), auto_now_add=True)

    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True, db_index=True)
    last_success_at = models.DateTimeField(_("last updated"), null=True, blank=True)
    error_code = models.CharField(_("error"), max_length=20, choices=FeedErrorCode.choices, blank=True)
    error_detail = models.CharField(_("error details"), max_length=500, blank=True)
    error_since = models.DateTimeField(_("failing since"), null=True, blank=True)
    # What the server said about the version we hold, sent back as If-None-Match / If-Modified-Since.
    etag = models.CharField(max_length=300, blank=True)
    last_modified = models.CharField(max_length=100, blank=True)
    # SHA-256 of the last body read: a server that sends no validators but the same calendar is not parsed again.
    content_hash = models.CharField(max_length=64, blank=True)
    # The busy times stored reach this far; a 304 is trusted only while that still covers the horizon.
    expanded_until = models.DateTimeField(null=True, blank=True)
    busy_count = models.PositiveIntegerField(_("busy times"), default=0)
    stale_notified_at = models.DateTimeField(_("managers told it is out of date"), null=True, blank=True)

    class Meta:
        ordering = ["resource_id", "name", "id"]
        verbose_name = _("external calendar")
        verbose_name_plural = _("external calendars")
        constraints = [
            models.UniqueConstraint(
                fields=["resource", "url"],
                name="calendars_externalcalendar_unique_url",
                violation_error_message=_("This calendar is already attached to the resource."),
            )
        ]

    def __str__(self):
        return f"{self.resource}: {self.name}"


class ExternalBusyInterval(models.Model):
    """A piece of busy time read from an external calendar: [start, end), at most MAX_PIECE long.

    Only the times are kept, never the event's title, description, location or attendees: nothing private can be
    shown because nothing private is stored. The resource is copied from the calendar so the booking queries read
    one index. Each successful sync replaces a calendar's pieces in one transaction.
    """

    calendar = models.ForeignKey(
        ExternalCalendar, verbose_name=_("external calendar"), on_delete=models.CASCADE, related_name="busy"
    )
    resource = models.ForeignKey(
        "catalogue.Resource", verbose_name=_("resource"), on_delete=models.CASCADE, related_name="+"
    )
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))

    class Meta:
        ordering = ["start"]
        verbose_name = _("external busy time")
        verbose_name_plural = _("external busy times")
        indexes = [models.Index(fields=["resource", "start", "end"], name="calendars_busy_resource_start")]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=models.F("start")), name="calendars_busy_end_after_start"),
            models.CheckConstraint(
                condition=Q(end__lte=models.F("start") + MAX_PIECE), name="calendars_busy_piece_at_most_a_day"
            ),
        ]

    def __str__(self):
        return f"{self.resource_id} {self.start:%Y-%m-%d %H:%M}–{self.end:%H:%M}"
