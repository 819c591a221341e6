from django.core.management.base import BaseCommand
from django.utils import timezone

from notifications.services import notifications_sweep


class Command(BaseCommand):
    help = ("Plan due reminders and send pending e-mail now, in this process "
            "(the same sweep Celery beat runs).")

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true",
                            help="print what would be planned and sent; change nothing")

    def handle(self, *args, dry_run=False, **options):
        report = notifications_sweep(now=timezone.now(), dry_run=dry_run)
        if dry_run:
            self.stdout.write(f"Would plan {len(report.planned)} reminder(s):")
            for key in report.planned:
                self.stdout.write(f"  {key}")
            self.stdout.write(f"Would send {len(report.due)} pending e-mail(s):")
            for message in report.due:
                self.stdout.write(f"  {message.kind} → {message.to_email}: {message.subject}")
            return
        self.stdout.write(
            f"Planned {len(report.planned)} reminder(s); recovered {report.recovered}; "
            f"sent {report.sent}; retrying {report.retrying}; failed {report.failed}; "
            f"skipped {report.skipped}."
        )
