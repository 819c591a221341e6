"""Meeting documents: the list and form on the meeting page, upload and download.

The files live in the private storage, which has no URL: the download view is the only way
to them, and it checks the permission on every request.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from tandems import services
from tandems.forms import MeetingDocumentForm
from tandems.models import Meeting, MeetingDocument

UPLOADED_FILE_CSP = "sandbox; default-src 'none'"


def documents_context(request, meeting) -> dict:
    """Context for ``tandems/includes/meeting_documents.html`` on the meeting page."""
    user = request.user
    documents = []
    if user.has_perm("tandems.view_meetingdocument", meeting):
        documents = list(meeting.documents.select_related("uploaded_by"))
    may_add = user.has_perm("tandems.add_meetingdocument", meeting)
    return {"documents": documents, "document_form": MeetingDocumentForm() if may_add else None}


@require_POST
@login_required
def document_upload(request, pk, meeting):
    meeting = get_object_or_404(Meeting.objects.select_related("tandem"), pk=meeting,
                                tandem_id=pk)
    if not request.user.has_perm("tandems.view_meeting", meeting):
        raise Http404  # another tandem's meetings do not exist for this user
    if not request.user.has_perm("tandems.add_meetingdocument", meeting):
        raise PermissionDenied
    form = MeetingDocumentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            document = services.document_add(meeting=meeting, upload=form.cleaned_data["file"],
                                              kind=form.cleaned_data["kind"],
                                              uploaded_by=request.user)
        except ValidationError as error:
            form.add_error("file", error)
        else:
            messages.success(request, _("The document “%(name)s” is uploaded.")
                             % {"name": document.name})
            return redirect(meeting)
    return render(request, "tandems/document_upload.html",
                  {"form": form, "meeting": meeting, "tandem": meeting.tandem}, status=400)


@require_safe
@login_required
def document_download(request, pk, meeting, document):
    document = get_object_or_404(MeetingDocument.objects.select_related("meeting__tandem"),
                                 pk=document, meeting_id=meeting, meeting__tandem_id=pk)
    if not request.user.has_perm("tandems.view_meetingdocument", document):
        raise Http404
    try:
        handle = document.file.open("rb")
    except FileNotFoundError:  # the row outlived its file (a restore, a manual clean-up)
        raise Http404 from None
    response = FileResponse(handle, as_attachment=True, filename=document.name,
                            content_type=document.content_type)
    # Never let a browser guess a type and render the file inline, nor a shared cache keep it.
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private"
    # A file can be two things at once (a PDF that is also an HTML page): should a browser
    # ever show it, it runs no script, loads nothing and has no access to the site.
    response["Content-Security-Policy"] = UPLOADED_FILE_CSP
    return response
