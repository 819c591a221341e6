from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from programme.infosheet import infosheet_pdf
from programme.selectors import programme_facts


class Command(BaseCommand):
    help = "Write the information sheet PDF in one language."

    def add_arguments(self, parser):
        parser.add_argument("--lang", default="de", help="de or en (default: de)")
        parser.add_argument("--out", required=True, help="the PDF file to write")

    def handle(self, *args, lang, out, **options):
        languages = [code for code, _name in settings.LANGUAGES]
        if lang not in languages:
            raise CommandError(f"--lang must be one of {', '.join(languages)}.")
        facts = programme_facts(now=timezone.now())
        if facts is None:
            raise CommandError("No programme yet: run `manage.py seed_demo` or create one.")
        Path(out).write_bytes(infosheet_pdf(facts=facts, language=lang))
        self.stdout.write(f"Wrote {out}")
