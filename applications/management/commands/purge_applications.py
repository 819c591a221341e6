from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from applications.services import eois_purge


class Command(BaseCommand):
    help = "Anonymise declined and withdrawn expressions of interest older than DAYS."

    def add_arguments(self, parser):
        parser.add_argument("--older-than", type=int, required=True, metavar="DAYS",
                            help="retention period in days since the last change")
        parser.add_argument("--dry-run", action="store_true", help="only list them")

    def handle(self, *args, older_than, dry_run, **options):
        if older_than < 0:
            raise CommandError("--older-than must be 0 or more days.")
        purged = eois_purge(older_than_days=older_than, now=timezone.now(), dry_run=dry_run)
        verb = "Would anonymise" if dry_run else "Anonymised"
        self.stdout.write(f"{verb} {len(purged)} expression(s) of interest"
                          f"{':' if purged else '.'}")
        for line in purged:
            self.stdout.write(f"  {line}")
