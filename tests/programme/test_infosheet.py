import io
from unittest import mock

import pytest
from django.core.management import call_command
from pypdf import PdfReader

from programme import infosheet

pytestmark = pytest.mark.django_db


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


@pytest.mark.parametrize(
    ("language", "deadline", "free"),
    [("de", "25. Februar 2022", "kostenlos"), ("en", "25 February 2022", "free of charge")],
)
def test_infosheet_states_the_deadline_in_words(client, seeded, language, deadline, free):
    response = client.get(f"/{language}/infoblatt.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert f"-{language}.pdf" in response["Content-Disposition"]
    text = pdf_text(response.content)
    assert deadline in text
    assert free in text


def test_infosheet_is_a_tagged_a4_sheet_of_at_most_two_pages(client, seeded):
    reader = PdfReader(io.BytesIO(client.get("/de/infoblatt.pdf").content))
    assert 1 <= len(reader.pages) <= 2
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)
    assert "/StructTreeRoot" in reader.trailer["/Root"]
    assert reader.trailer["/Root"]["/Lang"] == "de"


def test_infosheet_renders_once_until_the_data_changes(
        client, seeded, django_capture_on_commit_callbacks):
    from programme.models import Programme

    with mock.patch.object(infosheet, "render_pdf", wraps=infosheet.render_pdf) as render:
        first = client.get("/de/infoblatt.pdf").content
        second = client.get("/de/infoblatt.pdf").content
        assert render.call_count == 1
        assert first == second

        programme = Programme.objects.get()
        programme.contact_email = "neu@example.org"
        with django_capture_on_commit_callbacks(execute=True):
            programme.save()  # as the admin does: the cached sheet is forgotten
        third = client.get("/de/infoblatt.pdf").content
        assert render.call_count == 2
        assert "neu@example.org" in pdf_text(third)


def test_render_infosheet_command_writes_the_pdf(seeded, tmp_path):
    out = tmp_path / "sheet.pdf"
    call_command("render_infosheet", "--lang", "en", "--out", str(out), stdout=io.StringIO())
    assert "25 February 2022" in pdf_text(out.read_bytes())


def test_render_infosheet_command_refuses_unknown_language(seeded, tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("render_infosheet", "--lang", "fr", "--out", str(tmp_path / "x.pdf"))
