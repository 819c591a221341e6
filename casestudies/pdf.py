"""A case study as an A4 PDF, rendered by WeasyPrint: title page, contents, the sections,
the coded barriers and drivers, the citation line; tagged (PDF/UA-1) like the information
sheet.

A published version never changes, so its PDF is cached per (case study, version,
language); a working copy is rendered afresh each time.
"""

from django.contrib.staticfiles import finders
from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils import translation

from casestudies.citation import authors, citation
from casestudies.models import CaseStudy
from casestudies.selectors import categories_by_slug, version_context, version_or_404

# A month: long enough to spare WeasyPrint, short enough that a new layout or a
# researcher's corrected name reaches the cached PDFs without anybody clearing a cache.
CACHE_SECONDS = 60 * 60 * 24 * 30


class RenderError(Exception):
    """WeasyPrint could not render the PDF."""


def case_study_html(case_study: CaseStudy, *, version_number: int, language: str) -> str:
    version = version_or_404(case_study, version_number)
    published = version_number == case_study.published_version
    with translation.override(language):
        return render_to_string("casestudies/pdf/case_study.html", {
            "case_study": case_study, "lang": language, "published": published,
            "date": case_study.published_at if published else version.saved_at,
            "programme": case_study.tandem.programme, "authors": authors(case_study),
            "citation": citation(case_study, version_number, language),
            **version_context(version, categories_by_slug()),
        })


def render_pdf(html: str) -> bytes:
    """Render ``html`` to a tagged A4 PDF (PDF/UA-1); raise ``RenderError`` if it fails."""
    from weasyprint import CSS, HTML

    try:
        stylesheet = CSS(filename=finders.find("casestudies/case_study_pdf.css"))
        return HTML(string=html).write_pdf(stylesheets=[stylesheet], pdf_variant="pdf/ua-1")
    except Exception as error:  # WeasyPrint raises anything from fonts to layout errors
        raise RenderError(str(error)) from error


def case_study_pdf(case_study: CaseStudy, *, version_number: int, language: str) -> bytes:
    """Render version ``version_number`` of ``case_study`` in ``language`` (the labels;
    the text is the version's own)."""
    return render_pdf(case_study_html(case_study, version_number=version_number,
                                      language=language))


def cached_case_study_pdf(case_study: CaseStudy, *, version_number: int,
                          language: str) -> bytes:
    """Like :func:`case_study_pdf`, from the cache for the published version."""
    if version_number != case_study.published_version or case_study.published_at is None:
        return case_study_pdf(case_study, version_number=version_number, language=language)
    # With the time of publication in the key, a database made anew (other studies under
    # the same ids) never gets another study's PDF from a cache that outlived it.
    key = (f"casestudy-pdf:{case_study.pk}:{version_number}:{language}:"
           f"{case_study.published_at.timestamp():.0f}")
    pdf = cache.get(key)
    if pdf is None:
        pdf = case_study_pdf(case_study, version_number=version_number, language=language)
        cache.set(key, pdf, CACHE_SECONDS)
    return pdf


def pdf_filename(case_study: CaseStudy, version_number: int) -> str:
    return f"case-study-{case_study.pk}-v{version_number}.pdf"
