"""PDF copies of expressions of interest (WeasyPrint), for downloads and the confirmation mail."""

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import translation


def eoi_pdf(eoi, language: str) -> bytes:
    from weasyprint import CSS, HTML

    with translation.override(language):
        html = render_to_string("applications/eoi_pdf.html", {
            "eoi": eoi, "lang": language,
            "topic_interests": eoi.topic_interests.select_related("topic"),
        })
    stylesheet = CSS(filename=finders.find("css/document.css"))
    return HTML(string=html).write_pdf(stylesheets=[stylesheet], pdf_variant="pdf/ua-1")


def eoi_pdf_attachment(eoi, language: str):
    """The outbox attachment: the current state of the expression of interest, as a PDF."""
    if eoi is None:
        return None
    return (f"{eoi.reference or 'expression-of-interest'}.pdf", eoi_pdf(eoi, language),
            "application/pdf")
