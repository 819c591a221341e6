"""Reading case studies and their versions for the pages."""

from dataclasses import dataclass

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from accounts.enums import Language
from casestudies.diff import diff_lines, diff_words
from casestudies.enums import ItemKind, Level
from casestudies.markdown import render_markdown
from casestudies.models import CaseStudy, Category
from casestudies.services import Item, items_of


def case_study_with_items(pk) -> CaseStudy:
    return get_object_or_404(
        CaseStudy.objects.select_related("updated_by").prefetch_related(
            "items__category", "tandem__memberships__city"), pk=pk)


@dataclass
class Version:
    """What one version holds, from the live row or from a historical one."""

    number: int
    title: str
    language: str
    sections: dict[str, str]
    items: list[Item]
    saved_at: object = None
    saved_by: object = None

    @classmethod
    def of(cls, row, items: list[Item], *, saved_at, saved_by) -> "Version":
        return cls(number=row.version, title=row.title, language=row.language,
                   sections={name: getattr(row, name) for name in CaseStudy.SECTIONS},
                   items=items, saved_at=saved_at, saved_by=saved_by)


def current_version(case_study: CaseStudy) -> Version:
    return Version.of(case_study, items_of(case_study), saved_at=case_study.updated_at,
                      saved_by=case_study.updated_by)


def version_or_404(case_study: CaseStudy, number: int) -> Version:
    row = get_object_or_404(case_study.history.select_related("history_user"), version=number)
    return Version.of(row, [Item(**item) for item in row.items], saved_at=row.history_date,
                      saved_by=row.history_user)


def categories_by_slug() -> dict[str, Category]:
    return {c.slug: c for c in Category.objects.all()}


def item_rows(items: list[Item], categories: dict[str, Category]) -> list[dict]:
    """Items with their labels, for the tables of a case study or a version."""
    return [{"kind": item.kind, "kind_label": ItemKind(item.kind).label,
             "category": categories[item.category].name if item.category in categories
             else item.category,
             "level": Level(item.level).label, "text": item.text} for item in items]


def item_line(row: dict) -> str:
    return f"{row['kind_label']} · {row['category']} · {row['level']}: {row['text']}"


def compare(old: Version, new: Version, categories: dict[str, Category]) -> list[dict]:
    """The parts that differ between two versions, each with its word or line diff."""
    labels = {name: CaseStudy._meta.get_field(name).verbose_name for name in CaseStudy.EDITABLE}
    changes = []
    for name in ("title", "language"):
        before, after = getattr(old, name), getattr(new, name)
        if name == "language":
            before, after = Language(before).label, Language(after).label
        if before != after:
            changes.append({"name": name, "label": labels[name],
                            "parts": diff_words(str(before), str(after))})
    for name in CaseStudy.SECTIONS:
        if old.sections[name] != new.sections[name]:
            changes.append({"name": name, "label": labels[name],
                            "parts": diff_words(old.sections[name], new.sections[name])})
    old_lines = [item_line(r) for r in item_rows(old.items, categories)]
    new_lines = [item_line(r) for r in item_rows(new.items, categories)]
    if old_lines != new_lines:
        changes.append({"name": "items", "label": _("Barriers and drivers"), "lines": True,
                        "parts": diff_lines(old_lines, new_lines)})
    return changes


def version_context(version: Version, categories: dict[str, Category]) -> dict:
    """What a page or the PDF shows of one version: its sections as safe HTML, its items."""
    return {
        "version": version,
        "sections": [{"name": name, "label": CaseStudy._meta.get_field(name).verbose_name,
                      "html": render_markdown(version.sections[name])}
                     for name in CaseStudy.SECTIONS],
        "items": item_rows(version.items, categories),
    }
