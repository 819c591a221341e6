from django.core.management.base import BaseCommand
from django.db import transaction

from core.demo import DEFAULT_PASSWORD, seed


class Command(BaseCommand):
    help = "Load the real #vernetztinEuropa programme as demo data, with one account per role."

    def add_arguments(self, parser):
        parser.add_argument(
            "--password",
            help=f"Password for all demo accounts (default on first run: {DEFAULT_PASSWORD}).",
        )

    def handle(self, *args, password=None, **options):
        with transaction.atomic():
            accounts = seed(password=password)
        self.stdout.write(self.style.SUCCESS("Demo data loaded. Demo accounts:"))
        for account in accounts:
            self.stdout.write(f"  {account.role:<32} {account.email}")
        shown = password or f"{DEFAULT_PASSWORD} (unless changed with --password)"
        self.stdout.write(f"  Password for all demo accounts: {shown}")
