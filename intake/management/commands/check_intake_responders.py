from django.core.management.base import BaseCommand

from intake import selectors


class Command(BaseCommand):
    help = "List institutions, facilities and queues without anyone to answer an industry request."

    def handle(self, *args, **options):
        gaps = selectors.responder_gaps()
        for line in selectors.responder_gap_lines(gaps):
            self.stdout.write(line)
        if not any(selectors.responder_gap_lines(gaps, only_defects=True)):
            self.stdout.write(self.style.SUCCESS("Every queue and published facility has someone to answer."))
