"""Bokmål date formats: "15. des. 2026" and "15. des. 2026 kl. 14:00" (Django's own say "15. desember 2026")."""

from django.conf.locale.nb.formats import *  # noqa: F403 (input formats and the first day of the week)

DATE_FORMAT = "j. N Y"
DATETIME_FORMAT = r"j. N Y \k\l. H:i"
TIME_FORMAT = "H:i"
MONTH_DAY_FORMAT = "j. N"
# The short formats too, so that every page writes a date the same way.
SHORT_DATE_FORMAT = DATE_FORMAT
SHORT_DATETIME_FORMAT = DATETIME_FORMAT
