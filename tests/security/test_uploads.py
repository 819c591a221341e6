"""An uploaded file that is also an HTML page (a polyglot) never runs as one of the site's
pages: it is downloaded as an attachment, its type is not sniffed, and should a browser show
it all the same, a sandboxing Content-Security-Policy lets it run and load nothing."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tandems.models import MeetingDocument
from tests.factories import meeting_factory, member_contact, tandem_factory
from tests.tandems.test_documents import PDF, png

pytestmark = pytest.mark.django_db

HTML = b"<html><body><script>alert(document.domain)</script></body></html>"
POLYGLOTS = [
    ("Agenda.pdf", PDF.replace(b"%%EOF", HTML + b"\n%%EOF"), "application/pdf"),
    ("Plakat.png", png() + HTML, "image/png"),
]


@pytest.mark.parametrize(("name", "content", "content_type"), POLYGLOTS,
                         ids=[name for name, _c, _t in POLYGLOTS])
def test_a_polyglot_upload_is_served_sandboxed_as_an_attachment(client, name, content,
                                                                content_type):
    tandem = tandem_factory()
    meeting = meeting_factory(tandem)
    member = member_contact(tandem)
    client.force_login(member)
    response = client.post(f"/de/tandems/{tandem.pk}/meetings/{meeting.pk}/documents/", {
        "document-kind": "agenda", "document-file": SimpleUploadedFile(name, content)})
    assert response.status_code == 302, "the content is a real PDF/PNG: it is accepted"
    document = MeetingDocument.objects.get()
    response = client.get(document.get_absolute_url())
    assert b"".join(response.streaming_content) == content
    assert response["Content-Type"] == content_type
    assert response["Content-Security-Policy"] == "sandbox; default-src 'none'"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment;")
