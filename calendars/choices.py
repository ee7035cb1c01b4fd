from django.db import models
from django.utils.translation import gettext_lazy as _


class FeedErrorCode(models.TextChoices):
    """Why the last attempt to read a feed failed. The busy times already stored are kept whatever the reason."""

    NOT_PUBLIC = "not_public", _("The address is not a public internet address.")
    NOT_HTTPS = "not_https", _("The address is not an https:// (or webcal://) address.")
    UNREACHABLE = "unreachable", _("The calendar server could not be reached.")
    TIMEOUT = "timeout", _("The calendar server did not answer in time.")
    HTTP_STATUS = "http_status", _("The calendar server answered with an error.")
    TOO_LARGE = "too_large", _("The calendar is larger than the limit.")
    NOT_CALENDAR = "not_calendar", _("The answer is not an iCalendar file.")
    UNREADABLE = "unreadable", _("The calendar could not be read.")
    TOO_MANY_EVENTS = "too_many_events", _("The calendar has more busy times than the limit.")
