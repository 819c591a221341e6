"""The information sheet: an A4 PDF rendered by WeasyPrint from the programme's facts.

The HTML is rendered on every request (milliseconds); the PDF (the expensive
part) is cached under a hash of that HTML, so it is rendered once and again
only when the facts, the wording or the template change.
"""

import hashlib

from django.contrib.staticfiles import finders
from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils import translation

from programme.selectors import ProgrammeFacts

CACHE_SECONDS = 60 * 60 * 24 * 30


def infosheet_html(*, facts: ProgrammeFacts, language: str) -> str:
    with translation.override(language):
        return render_to_string("programme/infosheet.html", {"facts": facts, "lang": language})


def render_pdf(html: str) -> bytes:
    """Render ``html`` to a tagged A4 PDF (PDF/UA-1)."""
    from weasyprint import CSS, HTML

    stylesheet = CSS(filename=finders.find("css/infosheet.css"))
    return HTML(string=html).write_pdf(stylesheets=[stylesheet], pdf_variant="pdf/ua-1")


def infosheet_pdf(*, facts: ProgrammeFacts, language: str) -> bytes:
    html = infosheet_html(facts=facts, language=language)
    key = "infosheet:" + hashlib.sha256(html.encode()).hexdigest()
    pdf = cache.get(key)
    if pdf is None:
        pdf = render_pdf(html)
        cache.set(key, pdf, CACHE_SECONDS)
    return pdf


def infosheet_filename(*, facts: ProgrammeFacts, language: str) -> str:
    stem = "Informationsblatt" if language == "de" else "Information-sheet"
    return f"{facts.programme.slug}-{stem}-{language}.pdf"
