from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.formatting import german_time
from core.downloads import download
from programme.models import Programme
from reports import exports
from reports.selectors import funder_report, report_year

FORMATS = ("html", "csv", "xlsx", "pdf")


def _programme(request):
    """The current programme, for staff only (checked before anything else is revealed)."""
    if not request.user.has_perm("reports.view_report"):
        raise PermissionDenied
    programme = Programme.objects.current()
    if programme is None:
        raise Http404
    return programme


@login_required
def report_latest(request):
    """Open the report on the latest meeting year up to this year."""
    programme = _programme(request)
    today = german_time(timezone.now()).date()
    return redirect("reports:report", year=report_year(programme=programme, today=today))


@login_required
def report(request, year):
    """The funder report for one meeting year: a page, or ``?format=csv|xlsx|pdf``."""
    programme = _programme(request)
    if year not in programme.meeting_years:
        raise Http404
    output = request.GET.get("format", "html")
    table = request.GET.get("table", exports.DEFAULT_CSV_TABLE)
    if output not in FORMATS:
        return HttpResponseBadRequest(_("Unknown format. Choose one of: %(formats)s.")
                                      % {"formats": ", ".join(FORMATS)},
                                      content_type="text/plain; charset=utf-8")
    if output == "csv" and table not in exports.CSV_TABLES:
        return HttpResponseBadRequest(_("Unknown table. Choose one of: %(tables)s.")
                                      % {"tables": ", ".join(exports.CSV_TABLES)},
                                      content_type="text/plain; charset=utf-8")
    data = funder_report(programme=programme, year=year)
    if output == "csv":
        return download(exports.report_csv(data, table), "text/csv; charset=utf-8",
                         exports.filename(data, "csv", table))
    if output == "xlsx":
        return download(exports.report_xlsx(data), exports.XLSX_CONTENT_TYPE,
                         exports.filename(data, "xlsx"))
    if output == "pdf":
        return download(exports.report_pdf(data), "application/pdf",
                         exports.filename(data, "pdf"))
    return render(request, "reports/report.html", {
        **exports.report_context(data), "years": list(programme.meeting_years),
        "csv_tables": exports.CSV_TABLES})
