"""The case study as a PDF: the version its reader sees on the page.

Whoever may read the working copy gets it rendered afresh; everybody else the published
version, cached. A failing render is logged and answered with a short message (503): the
page itself still works, and the next request tries again.
"""

import logging

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language

from casestudies import pdf
from casestudies.views import case_study_or_404
from core.page_cache import cache_publicly

logger = logging.getLogger(__name__)


def case_study_pdf(request, pk):
    case_study = case_study_or_404(request, pk)
    language = (get_language() or "de")[:2]
    working_copy = request.user.has_perm("casestudies.view_working_copy", case_study)
    if working_copy:
        number, make = case_study.version, pdf.case_study_pdf
    else:
        number, make = case_study.published_version, pdf.cached_case_study_pdf
    try:
        data = make(case_study, version_number=number, language=language)
    except pdf.RenderError:
        logger.exception("The PDF of case study %s, version %s (%s) failed.",
                         case_study.pk, number, language)
        response = render(request, "casestudies/pdf/unavailable.html",
                          {"case_study": case_study}, status=503)
        response["Retry-After"] = "120"
        return response
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'inline; filename="{pdf.pdf_filename(case_study, number)}"')
    # The published version is the same for everyone until the next publication.
    return response if working_copy else cache_publicly(response)
