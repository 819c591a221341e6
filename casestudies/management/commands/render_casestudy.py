from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from casestudies.models import CaseStudy
from casestudies.pdf import RenderError, cached_case_study_pdf


class Command(BaseCommand):
    help = ("Write a case study as a PDF: the published version, or the working copy if "
            "none is published yet.")

    def create_parser(self, prog_name, subcommand, **kwargs):
        # Our --version is the case study's; it replaces Django's (the program version).
        return super().create_parser(prog_name, subcommand, conflict_handler="resolve",
                                     **kwargs)

    def add_arguments(self, parser):
        parser.add_argument("id", type=int, help="the case study's id")
        parser.add_argument("--out", required=True, help="the PDF file to write")
        parser.add_argument("--lang", default="de", help="de or en (default: de)")
        parser.add_argument("--version", type=int, dest="number",
                            help="the version (default: the published one, else the latest)")

    def handle(self, *args, id, out, lang, number, **options):
        languages = [code for code, _name in settings.LANGUAGES]
        if lang not in languages:
            raise CommandError(f"--lang must be one of {', '.join(languages)}.")
        case_study = CaseStudy.objects.select_related("tandem__programme").filter(pk=id).first()
        if case_study is None:
            raise CommandError(f"There is no case study with the id {id}.")
        if number is None:
            number = case_study.published_version or case_study.version
        elif not case_study.history.filter(version=number).exists():
            raise CommandError(f"Case study {id} has no version {number} "
                               f"(its latest is {case_study.version}).")
        try:
            data = cached_case_study_pdf(case_study, version_number=number, language=lang)
        except RenderError as error:
            raise CommandError(f"The PDF could not be rendered: {error}") from error
        Path(out).write_bytes(data)
        self.stdout.write(f"Wrote {out} (case study {id}, version {number}, {lang}).")
