from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import get_language

from programme.infosheet import infosheet_filename, infosheet_pdf
from programme.selectors import programme_facts


def _facts():
    facts = programme_facts(now=timezone.now())
    if facts is None:
        raise Http404
    return facts


def programme_page(request):
    return render(request, "programme/programme_page.html", {"facts": _facts()})


def infosheet(request):
    facts = _facts()
    language = (get_language() or "de")[:2]
    pdf = infosheet_pdf(facts=facts, language=language)
    response = HttpResponse(pdf, content_type="application/pdf")
    filename = infosheet_filename(facts=facts, language=language)
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response
