"""Working-day arithmetic for response deadlines: core.working_days, under the names intake has always used."""

from core.working_days import add_working_days, is_working_day, working_days_between

__all__ = ["add_working_days", "is_working_day", "working_days_between"]
