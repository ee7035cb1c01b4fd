"""Time formats shared by the API and e-mails."""

import datetime


def iso_utc(moment: datetime.datetime) -> str:
    """An aware time as ISO 8601 in UTC with a `Z`, as the API writes every time."""
    return moment.astimezone(datetime.UTC).isoformat().replace("+00:00", "Z")
