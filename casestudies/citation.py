"""How to cite a case study: authors (year): title. Programme. URL.

One plain-text line, the same on the PDF and wherever else a case study is cited.
"""

import unicodedata

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from casestudies.models import CaseStudy
from core.clock import german_time


def _parts(name: str) -> tuple[str, str]:
    """Return (surname, given names): the last word is the surname."""
    given, _space, surname = " ".join(name.split()).rpartition(" ")
    return surname, given


def _sort_key(name: str) -> tuple[str, str]:
    # "Özdemir" sorts with the O's, not after "Z".
    def plain(text):
        return "".join(c for c in unicodedata.normalize("NFKD", text)
                       if not unicodedata.combining(c)).casefold()

    surname, given = _parts(name)
    return plain(surname), plain(given)


def authors(case_study: CaseStudy) -> list[str]:
    """The assigned researchers' names, sorted by surname.

    A researcher without a name is left out: their e-mail address is no author's name,
    and a published PDF must not show it.
    """
    names = [user.name.strip() for user in case_study.researchers.all() if user.name.strip()]
    return sorted(names, key=_sort_key)


def cited_name(name: str) -> str:
    """``"Rafael Forsch"`` -> ``"Forsch, Rafael"``; a one-word name stays as it is."""
    surname, given = _parts(name)
    return f"{surname}, {given}" if given else surname


def citation(case_study: CaseStudy, version_number: int, language: str,
             title: str | None = None) -> str:
    """Return the citation line of one version of ``case_study`` in ``language``.

    A published version has the year it was published (German time); any other version
    the current year, marked as a draft. Give the version's ``title`` where it is known
    (a list), to save the query for it.
    """
    title = title or (case_study.history.filter(version=version_number)
                      .values_list("title", flat=True).first() or case_study.title)
    with translation.override(language):
        if case_study.published_at and version_number == case_study.published_version:
            year = str(german_time(case_study.published_at).year)
        else:
            year = _("%(year)s, draft") % {
                "year": german_time(timezone.now()).year}
        url = settings.SITE_URL + case_study.get_absolute_url()
        programme = case_study.tandem.programme.name
    names = "; ".join(cited_name(name) for name in authors(case_study))
    if names:
        return f"{names} ({year}): {title}. {programme}. {url}"
    return f"{title} ({year}). {programme}. {url}"
