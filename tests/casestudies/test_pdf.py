import io
import re
from unittest import mock

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from pypdf import PdfReader

from casestudies import pdf
from casestudies.citation import citation
from casestudies.enums import CaseStudyStatus
from casestudies.services import casestudy_save
from tests.casestudies.conftest import (
    FUNDING,
    POLITICS,
    make_case_study,
    make_researcher,
    set_status,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

CONTEXT = "Krefeld und Venlo teilen eine Grenze.\n\n## Ausgangslage\n\n- Sensoren\n- Daten\n"
RESULTS = "\n\n".join(["Ein langer Absatz über die Ergebnisse des Transfers. " * 12] * 12)


def pages(data: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def squeezed(text: str) -> str:
    """``text`` without any whitespace: lines wrap anywhere in a PDF, a URL included."""
    return "".join(text.split())


def written(case_study, by, **changes):
    """``case_study`` with a new version: ``changes`` and the two coded items."""
    return casestudy_save(case_study=case_study, base_version=case_study.version, by=by,
                          changes=changes, items=[FUNDING, POLITICS])


@pytest.fixture
def study(tandem):
    author = make_researcher(name="Rafael Forsch")
    case_study = make_case_study(tandem=tandem, title="Fallstudie Krefeld – Venlo",
                                 researchers=[author, make_researcher(name="Erika Muster")],
                                 by=author)
    return written(case_study, author, context=CONTEXT, results=RESULTS)


@pytest.fixture
def published(study):
    return set_status(study, CaseStudyStatus.PUBLISHED)


def url(case_study, language="de"):
    return f"/{language}/fallstudien/{case_study.pk}/pdf/"


# -- the document ---------------------------------------------------------------------------


def test_pdf_is_a4_with_a_title_page_and_page_numbers(study):
    data = pdf.case_study_pdf(study, version_number=study.version, language="en")
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) >= 4
    for page in reader.pages:
        box = page.mediabox
        assert (round(float(box.width)), round(float(box.height))) == (595, 842)
    text = pages(data)
    assert "Fallstudie Krefeld – Venlo" in text[0]
    assert "Rafael Forsch, Erika Muster" in text[0] or "Erika Muster, Rafael Forsch" in text[0]
    assert "Unpublished version 2 of" in text[0]
    assert not re.search(r"\d+ / \d+", text[0])  # no page number on the title page
    for number, page in enumerate(text[1:], start=2):
        assert f"{number} / {len(text)}" in page


def test_pdf_contents_give_the_page_of_each_section(study):
    text = pages(pdf.case_study_pdf(study, version_number=study.version, language="en"))
    assert text[1].startswith("Contents")
    entries = dict(re.findall(r"^(\w[\w ]+?) ?\.{3,} ?(\d+)$", text[1], re.MULTILINE))
    assert set(entries) == {"Context", "Results of the transfer", "Barriers and drivers"}
    for heading, number in entries.items():
        assert re.search(rf"^{heading}$", text[int(number) - 1], re.MULTILINE), heading


def test_pdf_shows_the_sections_items_and_citation(study):
    data = pdf.case_study_pdf(study, version_number=study.version, language="en")
    text = "\n".join(pages(data))
    assert "Ausgangslage" in text  # a Markdown heading
    assert "Barrier or driver Category Level Text" in text  # the table's header row
    assert "Barrier Funding Local Kein Budget für Sensorik" in text
    assert "Driver Political support Local Rückhalt des Oberbürgermeisters" in text
    assert squeezed(citation(study, study.version, "en")) in squeezed(text)
    assert "Forsch, Rafael; Muster, Erika" in text


def test_pdf_is_tagged_with_the_language(study):
    reader = PdfReader(io.BytesIO(pdf.case_study_pdf(study, version_number=study.version,
                                                     language="en")))
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root
    assert root["/Lang"] == "en"
    assert reader.metadata.title == "Fallstudie Krefeld – Venlo"


def test_pdf_of_a_demo_study_says_so(tandem):
    case_study = make_case_study(tandem=tandem, is_demo=True)
    data = pdf.case_study_pdf(case_study, version_number=1, language="en")
    assert "DEMO DATA" in pages(data)[0]  # in capitals
    assert "No barriers or drivers coded yet." in "\n".join(pages(data))


def test_pdf_escapes_what_the_authors_wrote(tandem):
    author = make_researcher(name="Eve")
    case_study = make_case_study(tandem=tandem, title="<b>Fett</b>", researchers=[author])
    case_study = written(case_study, author, context="<script>alert(1)</script>Hallo")
    text = "\n".join(pages(pdf.case_study_pdf(case_study, version_number=2, language="de")))
    assert "<b>Fett</b>" in text  # the title as typed, not as markup
    assert "alert" not in text


# -- the download ---------------------------------------------------------------------------


def test_public_downloads_the_published_version(client, published):
    response = client.get(url(published))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        f'inline; filename="case-study-{published.pk}-v2.pdf"')
    assert "Fallstudie Krefeld – Venlo" in pages(response.content)[0]


def test_public_gets_404_for_a_draft(client, study):
    assert client.get(url(study)).status_code == 404


def test_researcher_gets_the_working_copy_public_the_published_version(client, published):
    author = published.researchers.get(name="Rafael Forsch")
    written(published, author, title="Fallstudie Krefeld – Venlo, überarbeitet")

    public = client.get(url(published))
    assert "v2.pdf" in public["Content-Disposition"]
    assert "überarbeitet" not in pages(public.content)[0]

    client.force_login(make_researcher())  # every researcher reads the working copy
    mine = client.get(url(published))
    assert "v3.pdf" in mine["Content-Disposition"]
    assert "überarbeitet" in pages(mine.content)[0]


def test_published_pdf_is_rendered_once_the_working_copy_every_time(client, published):
    with mock.patch.object(pdf, "render_pdf", wraps=pdf.render_pdf) as render:
        first = client.get(url(published)).content
        second = client.get(url(published)).content
        assert render.call_count == 1
        assert first == second
        client.get(url(published, "en"))  # another language, another PDF
        assert render.call_count == 2

        client.force_login(published.researchers.first())
        client.get(url(published))
        client.get(url(published))
        assert render.call_count == 4


def test_new_published_version_is_rendered_anew(client, published):
    author = published.researchers.first()
    with mock.patch.object(pdf, "render_pdf", wraps=pdf.render_pdf) as render:
        client.get(url(published))
        updated = written(published, author, title="Zweite Fassung")
        set_status(updated, CaseStudyStatus.PUBLISHED)
        response = client.get(url(published))
        assert render.call_count == 2
    assert "v3.pdf" in response["Content-Disposition"]
    assert "Zweite Fassung" in pages(response.content)[0]


def test_failing_render_answers_503_with_a_message(client, published, caplog):
    with mock.patch("weasyprint.HTML.write_pdf", side_effect=RuntimeError("no fonts")):
        response = client.get(url(published, "en"))
    assert response.status_code == 503
    assert response["Content-Type"].startswith("text/html")
    assert b"The PDF cannot be made just now" in response.content
    assert f"/en/fallstudien/{published.pk}/".encode() in response.content
    assert "no fonts" in caplog.text
    # Nothing broken is cached: the next request renders.
    assert client.get(url(published)).status_code == 200
    assert client.get(f"/en/fallstudien/{published.pk}/").status_code == 200


def test_user_without_a_role_gets_the_published_version(client, published):
    client.force_login(UserFactory())
    response = client.get(url(published))
    assert response.status_code == 200
    assert "v2.pdf" in response["Content-Disposition"]


# -- the command ----------------------------------------------------------------------------


def test_render_casestudy_writes_the_published_version(published, tmp_path):
    written(published, published.researchers.first(), title="Neuer Entwurf")
    out = tmp_path / "study.pdf"
    stdout = io.StringIO()
    call_command("render_casestudy", str(published.pk), "--out", str(out), "--lang", "en",
                 stdout=stdout)
    assert "version 2" in stdout.getvalue()
    assert "Fallstudie Krefeld – Venlo" in pages(out.read_bytes())[0]


def test_render_casestudy_writes_the_working_copy_or_a_chosen_version(study, tmp_path):
    out = tmp_path / "study.pdf"
    call_command("render_casestudy", str(study.pk), "--out", str(out), stdout=io.StringIO())
    assert "Kein Budget für Sensorik" in "\n".join(pages(out.read_bytes()))
    call_command("render_casestudy", str(study.pk), "--out", str(out), "--version", "1",
                 stdout=io.StringIO())
    assert "Kein Budget für Sensorik" not in "\n".join(pages(out.read_bytes()))


@pytest.mark.parametrize(
    ("arguments", "message"),
    [(["999999"], "no case study with the id 999999"),
     (["{pk}", "--version", "9"], "has no version 9"),
     (["{pk}", "--lang", "fr"], "--lang must be one of")],
)
def test_render_casestudy_refuses_clearly(study, tmp_path, arguments, message):
    arguments = [argument.format(pk=study.pk) for argument in arguments]
    with pytest.raises(CommandError, match=message):
        call_command("render_casestudy", *arguments, "--out", str(tmp_path / "x.pdf"))
    assert not (tmp_path / "x.pdf").exists()
