"""The synthesis across case studies, for researchers and staff: a page, CSV or XLSX."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseBadRequest
from django.shortcuts import render
from django.utils.translation import gettext as _

from casestudies import synthesis as selectors
from core.downloads import CSV_TYPE, XLSX_TYPE, download

FORMATS = ("html", "csv", "xlsx")


@login_required
def synthesis(request):
    """Barriers and drivers by category and tandem, or ``?format=csv|xlsx`` of all items."""
    if not request.user.has_perm("casestudies.view_synthesis"):
        raise PermissionDenied
    output = request.GET.get("format", "html")
    if output not in FORMATS:
        return HttpResponseBadRequest(_("Unknown format. Choose one of: %(formats)s.")
                                      % {"formats": ", ".join(FORMATS)},
                                      content_type="text/plain; charset=utf-8")
    if output == "csv":
        return download(selectors.items_csv(), CSV_TYPE, "coded-items.csv")
    if output == "xlsx":
        return download(selectors.items_xlsx(), XLSX_TYPE, "coded-items.xlsx")
    return render(request, "casestudies/synthesis.html", {"synthesis": selectors.synthesis()})
