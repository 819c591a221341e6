"""Markdown of the case-study sections: headings under the page's, only safe HTML, cached."""

import re

import pytest
from django.utils.safestring import SafeString

from casestudies import markdown
from casestudies.markdown import render_markdown

REL = 'rel="noopener noreferrer nofollow"'


def tags(html: str) -> set[str]:
    return set(re.findall(r"<([a-z0-9]+)", html))


def test_markdown_headings_start_below_the_pages_own_h2():
    html = render_markdown("# Eins\n\n## Zwei\n\n### Drei\n\n#### Vier")
    assert html == "<h3>Eins</h3>\n<h4>Zwei</h4>\n<h5>Drei</h5>\n<h6>Vier</h6>"


def test_markdown_deep_headings_never_become_h1_or_h2():
    html = render_markdown("##### Fünf\n\n###### Sechs\n\n<h1>roh</h1>\n\n<h2>roh</h2>")
    assert not tags(html) & {"h1", "h2"}
    assert "<h5>Fünf</h5>" in html and "<h6>Sechs</h6>" in html


def test_markdown_lists_emphasis_and_tables_are_kept():
    html = render_markdown("- **Budget**\n- *Personal*\n\n1. erst\n2. dann\n\n"
                           "| Stadt | Thema |\n|---|---|\n| Hamm | Sensoren |")
    assert "<ul>\n<li><strong>Budget</strong></li>\n<li><em>Personal</em></li>\n</ul>" in html
    assert "<ol>\n<li>erst</li>\n<li>dann</li>\n</ol>" in html
    assert {"table", "thead", "tbody", "tr", "th", "td"} <= tags(html)
    assert "<td>Sensoren</td>" in html


@pytest.mark.parametrize("url", ["https://www.krefeld.de/", "http://example.org/a?b=c",
                                 "mailto:team@example.org"])
def test_markdown_links_to_the_web_and_mail_are_kept_with_a_safe_rel(url):
    html = render_markdown(f"Siehe [hier]({url}).")
    assert html == f'<p>Siehe <a href="{url}" {REL}>hier</a>.</p>'


@pytest.mark.parametrize("text", [
    "[klick](javascript:alert(1))",
    '<a href="javascript:alert(1)">klick</a>',
    '<a href="JaVaScRiPt:alert(1)">klick</a>',
    "[klick](data:text/html;base64,PHNjcmlwdD4=)",
    "[klick](vbscript:msgbox(1))",
])
def test_markdown_links_to_other_schemes_lose_their_target(text):
    html = render_markdown(text)
    assert html == f"<p><a {REL}>klick</a></p>"


def test_markdown_a_links_own_rel_target_and_handlers_are_replaced():
    html = render_markdown('<a href="https://example.org" rel="opener" target="_blank" '
                           'onmouseover="steal()">Link</a>')
    assert html == f'<p><a href="https://example.org" {REL}>Link</a></p>'


@pytest.mark.parametrize("text, kept", [
    ("<script>alert(1)</script>Hallo", "Hallo"),
    ("Vorher <script src=\"https://evil.example/x.js\"></script>nachher", "Vorher"),
    ('<img src="x" onerror="alert(1)">Bild', "Bild"),
    ('![Foto](https://example.org/foto.png) Text', "Text"),
    ('<iframe src="https://example.org"></iframe>Rahmen', "Rahmen"),
    ('<p style="color:red" onclick="x()">Rot</p>', "Rot"),
    ("<style>p { display: none }</style>Stil", "Stil"),
    ('<svg onload="alert(1)"><circle/></svg>Grafik', "Grafik"),
    ('<form action="https://evil.example"><input name="q"></form>Formular', "Formular"),
    ('<div onmouseover="x()" class="x" id="y">Block</div>', "Block"),
])
def test_markdown_scripts_images_frames_styles_and_handlers_are_removed(text, kept):
    html = render_markdown(text)
    assert kept in html
    assert not tags(html) - markdown.TAGS
    for unsafe in ("<script", "alert", "evil.example", "<img", "onerror", "<iframe", "style",
                   "onclick", "onload", "onmouseover", "<svg", "<form", "<input", "display",
                   "class=", "id="):
        assert unsafe not in html, unsafe


@pytest.mark.parametrize("text", ["", "   ", "\n\n\t  \n"])
def test_markdown_empty_text_gives_an_empty_string(text):
    html = render_markdown(text)
    assert html == "" and isinstance(html, SafeString)


def test_markdown_result_is_safe_to_put_in_a_page():
    html = render_markdown("Text mit <b>fett</b> & mehr")
    assert isinstance(html, SafeString)
    assert "&amp;" in html and "<b>" not in html


def test_markdown_same_text_twice_is_rendered_once(monkeypatch):
    calls = []
    real = markdown.markdown_lib.markdown

    def counting(text, **kwargs):
        calls.append(text)
        return real(text, **kwargs)

    monkeypatch.setattr(markdown.markdown_lib, "markdown", counting)
    first = render_markdown("# Kontext\n\nZwei Städte.")
    second = render_markdown("# Kontext\n\nZwei Städte.")
    assert first == second == "<h3>Kontext</h3>\n<p>Zwei Städte.</p>"
    assert calls == ["# Kontext\n\nZwei Städte."]
    # Another text is rendered on its own, and the empty text never.
    assert render_markdown("Anders") == "<p>Anders</p>"
    render_markdown("")
    assert calls == ["# Kontext\n\nZwei Städte.", "Anders"]
