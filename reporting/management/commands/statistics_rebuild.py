from django.core.management.base import BaseCommand

from accounting.selectors import current_year
from reporting import services


class Command(BaseCommand):
    help = "Rebuild the statistics' aggregates and published figures of a year (this year unless --year)."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, action="append", help="A year; may be given more than once.")

    def handle(self, *args, year=None, **options):
        for each in year or [current_year()]:
            cells = services.statistics_rebuild(year=each)
            self.stdout.write(f"{each}: {cells} published cells")
