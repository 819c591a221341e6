"""Benchmark: the PDF of a long case study, cold and cached; print seconds, pages and bytes.

    DJANGO_SETTINGS_MODULE=config.settings.test \\
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/vernetzt REDIS_URL=redis://127.0.0.1:6379/0 \\
        .venv/bin/python benchmarks/casestudy_pdf.py [--runs 3]

It creates a throwaway database of its own (``bench_<name>``), one published case study
with every section about 15,000 characters of Markdown (headings, lists, paragraphs) and
60 coded items, then renders its PDF ``--runs`` times: cold (empty cache, Markdown
included) and cached (``cached_case_study_pdf`` called again). It empties the cache
between runs: give it a Redis database of its own. Figures, not assertions:
tests/casestudies/test_pdf.py asserts that the cached call does not render.
Needs the test extras (factory_boy).
"""

import argparse
import io
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402

from benchmarks.support import in_throwaway_database  # noqa: E402

SECTION_CHARS = 15_000
ITEMS = 60


def section_markdown(name: str, size: int = SECTION_CHARS) -> str:
    """About ``size`` characters: chapters with a heading, a paragraph, a list, a subheading."""
    sentence = (f"Im Abschnitt {name} beschreibt die Fallstudie, wie die Stadtverwaltung "
                "Daten, Sensoren und Beteiligung mit der Partnerstadt erprobt hat. ")
    parts, n = [], 0
    while sum(map(len, parts)) < size:
        n += 1
        parts.append(f"## Kapitel {n}\n\n{sentence * 4}\n\n"
                     f"- erster Punkt zu {name} {n}\n- zweiter Punkt mit **Betonung**\n"
                     f"- dritter Punkt mit [Link](https://example.org/{n})\n\n"
                     f"### Unterkapitel {n}.1\n\n{sentence * 3}\n\n"
                     f"1. Schritt eins\n2. Schritt zwei\n\n")
    return "".join(parts)[:size]


def create():
    """One published case study, written through the services."""
    from django.utils import timezone

    from casestudies.enums import ItemKind, Level
    from casestudies.models import CaseStudy
    from casestudies.services import Item, casestudy_create, casestudy_save, categories_ensure
    from casestudies.taxonomy import DEFAULT_CATEGORIES
    from tests.factories import UserFactory, tandem_factory

    categories_ensure()
    slugs = [slug for slug, _de, _en in DEFAULT_CATEGORIES]
    authors = [UserFactory(name=name) for name in ("Rafael Forsch", "Erika Muster")]
    case_study = casestudy_create(tandem=tandem_factory(), title="Fallstudie Krefeld – Venlo",
                                  researchers=authors, by=authors[0])
    items = [Item(kind=list(ItemKind)[n % 2].value, category=slugs[n % len(slugs)],
                  level=list(Level)[n % 3].value,
                  text=f"Beobachtung {n + 1}: " + "Ein Hindernis oder eine Triebkraft. " * 4)
             for n in range(ITEMS)]
    case_study = casestudy_save(
        case_study=case_study, base_version=case_study.version, by=authors[0], items=items,
        changes={name: section_markdown(name) for name in CaseStudy.SECTIONS})
    # Published as the review would leave it (the review itself is not measured here).
    CaseStudy.objects.filter(pk=case_study.pk).update(
        status="published", published_version=case_study.version, published_at=timezone.now())
    return CaseStudy.objects.select_related("tandem__programme").get(pk=case_study.pk)


def timed(function, *args, **kwargs):
    started = time.perf_counter()
    result = function(*args, **kwargs)
    return time.perf_counter() - started, result


def measure(runs: int) -> dict:
    """Render a long published case study's PDF ``runs`` times cold and cached; the means."""
    from django.core.cache import cache
    from pypdf import PdfReader

    from casestudies import pdf

    case_study = create()
    arguments = {"version_number": case_study.published_version, "language": "de"}
    cold, html, cached = [], [], []
    for _ in range(runs):
        cache.clear()  # the rendered Markdown too
        seconds, _html = timed(pdf.case_study_html, case_study, **arguments)
        html.append(seconds)
        cache.clear()
        seconds, data = timed(pdf.cached_case_study_pdf, case_study, **arguments)
        cold.append(seconds)
        seconds, again = timed(pdf.cached_case_study_pdf, case_study, **arguments)
        cached.append(seconds)
        assert again == data
    return {
        "pages": len(PdfReader(io.BytesIO(data)).pages), "bytes": len(data),
        "markdown_characters": sum(len(getattr(case_study, name))
                                   for name in case_study.SECTIONS),
        "coded_items": ITEMS, "runs": runs,
        "cold_seconds": sum(cold) / runs, "html_seconds": sum(html) / runs,
        "cached_seconds": sum(cached) / runs,
    }


def run(runs: int) -> None:
    from django.core.cache import caches

    figures = measure(runs)
    print(f"\nCase-study PDF on {connection.vendor}, cache {caches['default'].__class__.__name__}: "
          f"{figures['markdown_characters']:,} characters of Markdown, {ITEMS} coded items, "
          f"{figures['pages']} A4 pages, {figures['bytes']:,} bytes; mean of {runs} runs\n")
    print(f"{'render':<42} {'seconds':>8}")
    for label, key in [("cold: first render (HTML + PDF)", "cold_seconds"),
                       ("  of which the HTML (Markdown, template)", "html_seconds"),
                       ("cached: cached_case_study_pdf again", "cached_seconds")]:
        print(f"{label:<42} {figures[key]:>8.4f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    in_throwaway_database(run, args.runs)


if __name__ == "__main__":
    main()
