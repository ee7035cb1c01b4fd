"""Read the external calendar feeds now, in this process: `manage.py sync_external_calendars [--resource ID]`."""

from django.core.management.base import BaseCommand

from calendars import services


class Command(BaseCommand):
    help = "Read every external calendar feed (or those of one resource) now, and report each outcome."

    def add_arguments(self, parser):
        parser.add_argument("--resource", type=int, help="Only the feeds of this resource (its id).")

    def handle(self, *args, resource=None, **options):
        calendar_ids = services.calendars_due_ids(resource_id=resource) if resource else services.calendars_all_ids()
        failed = 0
        for calendar_id in calendar_ids:
            outcome = services.external_calendar_sync(calendar_id=calendar_id)
            if outcome is None:
                continue
            if outcome.error:
                failed += 1
                self.stdout.write(f"calendar {calendar_id}: {outcome.error} {outcome.detail}")
            elif outcome.not_modified:
                self.stdout.write(f"calendar {calendar_id}: not modified")
            else:
                self.stdout.write(f"calendar {calendar_id}: {outcome.stored} busy times")
        notified = services.stale_calendars_notify()
        self.stdout.write(f"{len(calendar_ids)} feeds read, {failed} failed, {notified} stale feeds reported")
