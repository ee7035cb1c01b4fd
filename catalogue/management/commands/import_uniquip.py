from django.core.management.base import BaseCommand, CommandError

from catalogue import uniquip
from catalogue.models import Institution
from core.policies import OPERATOR


class Command(BaseCommand):
    help = "Import a Uniquip CSV file into an institution. Every row is checked first; a bad row imports nothing."

    def add_arguments(self, parser):
        parser.add_argument("file", help="Path to the CSV file (UTF-8).")
        parser.add_argument("--institution", required=True, help="Institution id or slug.")
        parser.add_argument(
            "--publish", action="store_true", help="Publish imported facilities that have a primary contact."
        )

    def handle(self, *args, file, institution, publish, **options):
        lookup = {"pk": int(institution)} if institution.isdecimal() else {"slug": institution}
        try:
            target = Institution.objects.get(**lookup)
        except Institution.DoesNotExist as error:
            raise CommandError(f"No institution {institution!r}.") from error
        try:
            with open(file, encoding="utf-8-sig") as handle:
                text = handle.read()
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error}") from error
        try:
            rows = uniquip.read_rows(text)
            result = uniquip.uniquip_rows_import(institution=target, rows=rows, actor=OPERATOR, publish=publish)
        except uniquip.UniquipImportError as error:
            for row_error in error.errors:
                self.stderr.write(str(row_error))
            raise CommandError(f"{len(error.errors)} error(s); nothing was imported.") from error
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported into {target.short_name}: {result.facilities_created} facilities created, "
                f"{result.facilities_updated} updated, {result.resources_created} resources created, "
                f"{result.resources_updated} updated."
            )
        )
