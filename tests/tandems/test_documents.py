"""Meeting documents: the content rule, the service, and who may upload and download."""

import io
import struct
import zipfile
import zlib
from pathlib import Path
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, connection
from django.test import RequestFactory, override_settings
from django.test.utils import CaptureQueriesContext

from tandems.enums import DocumentKind
from tandems.models import MeetingDocument
from tandems.services import document_add
from tandems.validators import document_name, validate_document
from tandems.views.documents import documents_context
from tests.factories import UserFactory, meeting_factory, member_contact, tandem_factory

pytestmark = pytest.mark.django_db

# -- minimal real files --------------------------------------------------------------------

PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
       b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")


def png() -> bytes:
    """A 1x1 pixel PNG."""
    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data)))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00\xff\xff\xff")) + chunk(b"IEND", b""))


JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"
WEBP = b"RIFF\x1a\x00\x00\x00WEBPVP8L\x0d\x00\x00\x00\x2f\x00\x00\x00\x10\x07\x10\x11\x11\x88\x88\xfe\x07\x00"  # noqa: E501


def ooxml(part: str) -> bytes:
    """An Office Open XML package: filetype reads the first entries' names (word/, xl/, ppt/)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        package.writestr(part, '<?xml version="1.0"?><document/>')
    return buffer.getvalue()


def opendocument(mime: str) -> bytes:
    """An OpenDocument package: an uncompressed ``mimetype`` entry comes first."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr("mimetype", mime, compress_type=zipfile.ZIP_STORED)
        package.writestr("content.xml", "<office:document-content/>")
    return buffer.getvalue()


def ole(marker: bytes) -> bytes:
    """A legacy Office (OLE compound) file: the header, then the format's marker at 512."""
    return (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1".ljust(512, b"\x00") + marker).ljust(2048, b"\x00")


def plain_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr("notes.txt", "hello")
    return buffer.getvalue()


ALLOWED = [
    ("Agenda.pdf", PDF, "application/pdf"),
    ("Protokoll.docx", ooxml("word/document.xml"),
     "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("Budget.xlsx", ooxml("xl/workbook.xml"),
     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ("Folien.pptx", ooxml("ppt/presentation.xml"),
     "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
    ("Brief.odt", opendocument("application/vnd.oasis.opendocument.text"),
     "application/vnd.oasis.opendocument.text"),
    ("Tabelle.ods", opendocument("application/vnd.oasis.opendocument.spreadsheet"),
     "application/vnd.oasis.opendocument.spreadsheet"),
    ("Vortrag.odp", opendocument("application/vnd.oasis.opendocument.presentation"),
     "application/vnd.oasis.opendocument.presentation"),
    ("Alt.doc", ole(b"\xec\xa5\xc1\x00"), "application/msword"),
    ("Alt.xls", ole(b"\x09\x08\x10\x00\x00\x06\x05\x00"), "application/vnd.ms-excel"),
    ("Alt.ppt", ole(b"\xa0\x46\x1d\xf0"), "application/vnd.ms-powerpoint"),
    ("Foto.png", png(), "image/png"),
    ("Foto.JPG", JPEG, "image/jpeg"),
    ("Foto.jpeg", JPEG, "image/jpeg"),
    ("Foto.webp", WEBP, "image/webp"),
]


def files_on_disk() -> set:
    """Every file in the private storage (shared by the whole test session)."""
    root = Path(storages["private"].location)
    return {path for path in root.rglob("*") if path.is_file()}


def check(content: bytes, name: str) -> str:
    return validate_document(head=content[:8192], size=len(content), name=name)


def code_of(content: bytes, name: str) -> str:
    with pytest.raises(ValidationError) as caught:
        check(content, name)
    return caught.value.code


# -- the rule -------------------------------------------------------------------------------

@pytest.mark.parametrize(("name", "content", "mime"), ALLOWED, ids=[a[0] for a in ALLOWED])
def test_validate_document_allowed_type_returns_detected_mime(name, content, mime):
    assert check(content, name) == mime


@pytest.mark.parametrize(("name", "content"), [
    ("Agenda.docx", PDF),
    ("Protokoll.pdf", ooxml("word/document.xml")),
    ("Budget.docx", ooxml("xl/workbook.xml")),
    ("Brief.docx", opendocument("application/vnd.oasis.opendocument.text")),
    ("Foto.png", JPEG),
    ("Agenda", PDF),
])
def test_validate_document_mislabelled_is_refused(name, content):
    assert code_of(content, name) == "mislabelled"


def test_validate_document_mislabelled_message_names_the_right_extension():
    with pytest.raises(ValidationError) as caught:
        check(PDF, "Agenda.docx")
    assert caught.value.messages == [
        "„Agenda.docx“ ist falsch benannt: Der Inhalt ist vom Typ PDF und passt nicht zum "
        "Namen. Bitte geben Sie der Datei die Endung .pdf oder wählen Sie die richtige Datei."]


def test_validate_document_legacy_office_type_follows_the_extension():
    # filetype tells the OLE formats apart only by guesswork: the name decides within them.
    assert check(ole(b"\xec\xa5\xc1\x00"), "Alt.xls") == "application/vnd.ms-excel"
    assert code_of(ole(b"\xec\xa5\xc1\x00"), "Alt.pdf") == "mislabelled"


@pytest.mark.parametrize(("name", "content"), [
    ("setup.exe", b"MZ\x90\x00" + b"\x00" * 200),
    ("setup.pdf", b"MZ\x90\x00" + b"\x00" * 200),
    ("page.html", b"<!DOCTYPE html><html><script>alert(1)</script></html>"),
    ("page.pdf", b"<!DOCTYPE html><html><script>alert(1)</script></html>"),
    ("notes.txt", b"just some text"),
    ("archive.zip", plain_zip()),
    ("archive.docx", plain_zip()),
    ("anim.gif", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;"),
    ("vector.svg", b'<svg xmlns="http://www.w3.org/2000/svg"></svg>'),
])
def test_validate_document_other_type_is_refused(name, content):
    assert code_of(content, name) == "type"


def test_validate_document_empty_is_refused():
    assert code_of(b"", "Agenda.pdf") == "empty"


@override_settings(MEETING_DOCUMENT_MAX_BYTES=2 * 2**20)
def test_validate_document_oversize_is_refused_with_the_limit_in_mb():
    assert check(PDF, "Agenda.pdf") == "application/pdf"
    assert validate_document(head=PDF, size=2 * 2**20, name="Agenda.pdf") == "application/pdf"
    with pytest.raises(ValidationError) as caught:
        validate_document(head=PDF, size=2 * 2**20 + 1, name="Agenda.pdf")
    assert caught.value.code == "too_large"
    assert caught.value.messages == ["Die Datei ist zu groß: Erlaubt sind höchstens 2 MB."]


@pytest.mark.parametrize(("raw", "kept"), [
    ("Agenda.pdf", "Agenda.pdf"),
    ("C:\\Users\\anna\\Tagesordnung Juni.pdf", "Tagesordnung Juni.pdf"),
    ("../../etc/passwd.pdf", "passwd.pdf"),
    ("Bericht\u202egpj.exe.pdf", "Berichtgpj.exe.pdf"),  # no right-to-left override tricks
    ("line\r\nbreak.pdf", "linebreak.pdf"),
    ("  ", "document"),
    ("a" * 300 + ".pdf", "a" * 196 + ".pdf"),
])
def test_document_name_cleaned(raw, kept):
    assert document_name(raw) == kept


# -- the service ----------------------------------------------------------------------------

@pytest.fixture
def meeting():
    return meeting_factory(tandem_factory())


def test_document_add_stores_privately_and_records_name_type_size(meeting):
    user = UserFactory()
    document = document_add(meeting=meeting, upload=SimpleUploadedFile("Tagesordnung.pdf", PDF),
                            kind=DocumentKind.AGENDA, uploaded_by=user)
    document.refresh_from_db()
    assert (document.name, document.content_type, document.size, document.uploaded_by) == (
        "Tagesordnung.pdf", "application/pdf", len(PDF), user)
    private = storages["private"]
    assert document.file.storage is private
    # A random name under the meeting's folder; the original name never touches the disk.
    assert document.file.name.startswith(f"meetings/{meeting.pk}/")
    assert document.file.name.endswith(".pdf") and "Tagesordnung" not in document.file.name
    with private.open(document.file.name) as stored:
        assert stored.read() == PDF


def test_document_add_invalid_file_saves_nothing(meeting):
    before = files_on_disk()
    with pytest.raises(ValidationError):
        document_add(meeting=meeting, upload=SimpleUploadedFile("Agenda.docx", PDF),
                     kind=DocumentKind.AGENDA, uploaded_by=UserFactory())
    assert not MeetingDocument.objects.exists()
    assert files_on_disk() == before


def test_document_add_unknown_kind_is_refused(meeting):
    before = files_on_disk()
    with pytest.raises(ValidationError) as caught:
        document_add(meeting=meeting, upload=SimpleUploadedFile("Agenda.pdf", PDF),
                     kind="minutes", uploaded_by=UserFactory())
    assert "kind" in caught.value.message_dict
    assert files_on_disk() == before


def test_document_add_database_failure_removes_the_file(meeting):
    before = files_on_disk()
    with mock.patch.object(MeetingDocument, "save", side_effect=IntegrityError), \
            pytest.raises(IntegrityError):
        document_add(meeting=meeting, upload=SimpleUploadedFile("Agenda.pdf", PDF),
                     kind=DocumentKind.AGENDA, uploaded_by=UserFactory())
    assert files_on_disk() == before


# -- the pages ------------------------------------------------------------------------------

def upload_url(meeting, lang="en"):
    return f"/{lang}/tandems/{meeting.tandem_id}/meetings/{meeting.pk}/documents/"


def post(client, meeting, name="Agenda.pdf", content=PDF, lang="en", kind="agenda"):
    return client.post(upload_url(meeting, lang),
                       {"document-kind": kind, "document-file": SimpleUploadedFile(name, content)})


def stored(meeting, name="Agenda.pdf", content=PDF):
    return document_add(meeting=meeting, upload=SimpleUploadedFile(name, content),
                        kind=DocumentKind.AGENDA, uploaded_by=UserFactory())


def download_url(document, lang="en"):
    return f"/{lang}{document.get_absolute_url()[3:]}"


def fetch(client, url):
    """GET ``url``, read the body and close the file a FileResponse holds open.

    Not ``response.close()``: that sends request_finished, which closes the test's database
    connection on PostgreSQL.
    """
    response = client.get(url)
    response.body = b"".join(response.streaming_content) if response.streaming else b""
    if getattr(response, "file_to_stream", None) is not None:
        response.file_to_stream.close()
    return response


def test_upload_member_is_redirected_to_the_meeting(client, meeting):
    user = member_contact(meeting.tandem)
    client.force_login(user)
    response = post(client, meeting, name="Tagesordnung Juni.pdf")
    assert response.status_code == 302
    assert response.url == f"/en/tandems/{meeting.tandem_id}/meetings/{meeting.pk}/"
    document = MeetingDocument.objects.get()
    assert (document.meeting, document.name, document.uploaded_by) == (
        meeting, "Tagesordnung Juni.pdf", user)
    page = client.get(response.url).content.decode()
    assert "The document “Tagesordnung Juni.pdf” is uploaded." in page


def test_download_member_gets_the_file_as_attachment(client, meeting):
    document = stored(meeting, name="Tagesordnung Juni.pdf")
    client.force_login(member_contact(meeting.tandem, german=False))
    response = fetch(client, download_url(document))
    assert response.status_code == 200
    assert response.body == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="Tagesordnung Juni.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private"


def test_download_non_ascii_name_is_kept(client, meeting):
    document = stored(meeting, name="Übersicht Größen.pdf")
    client.force_login(member_contact(meeting.tandem))
    response = fetch(client, download_url(document))
    assert "filename*=utf-8''%C3%9Cbersicht%20Gr%C3%B6%C3%9Fen.pdf" in (
        response["Content-Disposition"])


def test_upload_and_download_other_tandems_member_gets_404(client, meeting):
    document = stored(meeting)
    client.force_login(member_contact(tandem_factory()))
    assert post(client, meeting).status_code == 404
    assert fetch(client, download_url(document)).status_code == 404
    assert MeetingDocument.objects.count() == 1


def test_upload_and_download_wrong_tandem_in_url_gets_404(client, meeting):
    document = stored(meeting)
    other = tandem_factory()
    client.force_login(member_contact(meeting.tandem))
    wrong = f"/en/tandems/{other.pk}/meetings/{meeting.pk}/documents/"
    assert client.post(wrong, {"document-kind": "agenda",
                               "document-file": SimpleUploadedFile("a.pdf", PDF)}
                       ).status_code == 404
    assert fetch(client, f"{wrong}{document.pk}/").status_code == 404


def test_download_document_of_another_meeting_gets_404(client, meeting):
    second = meeting_factory(meeting.tandem, title="Zweites Treffen")
    document = stored(second)
    client.force_login(member_contact(meeting.tandem))
    assert fetch(client, f"{upload_url(meeting)}{document.pk}/").status_code == 404
    assert fetch(client, download_url(document)).status_code == 200


def test_download_missing_file_gets_404(client, meeting):
    document = stored(meeting)
    storages["private"].delete(document.file.name)
    client.force_login(member_contact(meeting.tandem))
    assert fetch(client, download_url(document)).status_code == 404


def test_an_unverified_contact_neither_downloads_nor_uploads(client, meeting):
    # Claiming a municipality is not speaking for it: staff verify a contact first.
    document = stored(meeting)
    client.force_login(member_contact(meeting.tandem, verified=False))
    assert fetch(client, download_url(document)).status_code == 404
    assert post(client, meeting).status_code == 404
    assert MeetingDocument.objects.count() == 1


def test_upload_and_download_staff_may(staff_client, meeting):
    assert post(staff_client, meeting).status_code == 302
    assert fetch(staff_client, download_url(MeetingDocument.objects.get())).status_code == 200


def test_upload_and_download_anonymous_is_sent_to_login(client, meeting):
    document = stored(meeting)
    for response in (post(client, meeting), fetch(client, download_url(document))):
        assert response.status_code == 302 and "login" in response.url
    assert MeetingDocument.objects.count() == 1


def test_upload_get_is_not_allowed(client, meeting):
    client.force_login(member_contact(meeting.tandem))
    assert client.get(upload_url(meeting)).status_code == 405


@pytest.mark.parametrize("lang", ["en", "de"])
@override_settings(MEETING_DOCUMENT_MAX_BYTES=2**20)
def test_upload_oversize_is_refused_with_400(client, meeting, lang):
    client.force_login(member_contact(meeting.tandem))
    response = post(client, meeting, content=PDF.ljust(2**20 + 1, b"\n"), lang=lang)
    assert response.status_code == 400
    assert not MeetingDocument.objects.exists()
    page = response.content.decode()
    assert "error-summary" in page
    assert {"en": "The file is too large: at most 1 MB are allowed.",
            "de": "Die Datei ist zu groß: Erlaubt sind höchstens 1 MB."}[lang] in page


@pytest.mark.parametrize("lang", ["en", "de"])
def test_upload_mislabelled_is_refused_with_400(client, meeting, lang):
    client.force_login(member_contact(meeting.tandem))
    before = files_on_disk()
    response = post(client, meeting, name="Agenda.docx", content=PDF, lang=lang)
    assert response.status_code == 400
    assert not MeetingDocument.objects.exists()
    assert files_on_disk() == before
    assert {"en": "is mislabelled: its content is of type PDF",
            "de": "ist falsch benannt: Der Inhalt ist vom Typ PDF"}[lang] in (
        response.content.decode())


def test_upload_without_file_is_refused_with_400(client, meeting):
    client.force_login(member_contact(meeting.tandem))
    response = client.post(upload_url(meeting), {"document-kind": "agenda"})
    assert response.status_code == 400
    assert not MeetingDocument.objects.exists()


def test_meeting_page_lists_documents_and_offers_the_form_to_verified_members(client, meeting):
    stored(meeting, name="Folien <Entwurf>.pdf")
    client.force_login(member_contact(meeting.tandem))
    page = client.get(meeting.get_absolute_url()).content.decode()
    assert "Folien &lt;Entwurf&gt;.pdf" in page
    assert 'enctype="multipart/form-data"' in page and 'name="document-file"' in page


def test_documents_context_queries_constant(meeting):
    request = RequestFactory().get("/")
    request.user = member_contact(meeting.tandem)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            context = documents_context(request, meeting)
        return len(captured), context

    stored(meeting)
    few, context = queries()
    stored(meeting, name="Foto.png", content=png())
    stored(meeting, name="Brief.odt", content=opendocument(
        "application/vnd.oasis.opendocument.text"))
    many, context = queries()
    assert few == many
    assert [d.name for d in context["documents"]] == ["Agenda.pdf", "Foto.png", "Brief.odt"]
    assert context["document_form"] is not None
