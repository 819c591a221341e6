"""The only write paths for case studies.

Every save is a new version (``CaseStudy.history``, with the coded items of that version),
made under the case study's row lock on top of the version its author started from: a
save from an older version raises :class:`core.conflicts.EditConflict` and writes
nothing, so two people editing at once never silently overwrite each other.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from casestudies.models import CaseStudy, Category, CodedItem
from casestudies.taxonomy import DEFAULT_CATEGORIES
from casestudies.validators import validate_editable, validate_item_count
from core.conflicts import EditConflict


@dataclass(frozen=True)
class Item:
    """A coded barrier or driver as it is written and kept in a version."""

    kind: str
    category: str  # the category's slug: stable across versions
    level: str
    text: str

    def as_dict(self) -> dict:
        return {"kind": self.kind, "category": self.category, "level": self.level,
                "text": self.text}


def items_of(case_study: CaseStudy) -> list[Item]:
    """The case study's coded items now, in their order (prefetch ``items__category``)."""
    return [Item(i.kind, i.category.slug, i.level, i.text) for i in case_study.items.all()]


def categories_ensure() -> None:
    """Add the default categories that are missing; staff's edits to the others stay."""
    for order, (slug, name_de, name_en) in enumerate(DEFAULT_CATEGORIES, start=1):
        Category.objects.get_or_create(
            slug=slug, defaults={"name_de": name_de, "name_en": name_en, "order": order})


def casestudy_create(*, tandem, title: str, language: str = "de", researchers=(),
                     by=None, is_demo: bool = False) -> CaseStudy:
    """Start the (empty) case study of ``tandem``: version 1."""
    with transaction.atomic():
        case_study = CaseStudy(tandem=tandem, title=title, language=language,
                               updated_by=by, is_demo=is_demo)
        case_study.full_clean()
        case_study._history_user = by
        case_study.save()
        case_study.researchers.set(researchers)
    return case_study


def casestudy_save(*, case_study: CaseStudy, base_version: int, by,
                   changes: dict[str, str] | None = None,
                   items: list[Item] | None = None) -> CaseStudy:
    """Save a new version of ``case_study`` on top of ``base_version``.

    ``changes`` maps the title, the language and the sections (``CaseStudy.EDITABLE``) to
    their new values; ``items`` replaces the coded items in the given order. What is not
    given stays. If nothing changes, no version is made. Raises ``EditConflict`` when
    someone saved since ``base_version``, ``ValidationError`` for a rule or a bad value.
    """
    unknown = set(changes or {}) - set(CaseStudy.EDITABLE)
    if unknown:
        raise TypeError(f"casestudy_save() got unknown fields: {sorted(unknown)}")
    # Browsers send a textarea's lines ending in CRLF: without this, every save from a page
    # would change each multi-line section that was written elsewhere.
    changes = {name: _lf(value) for name, value in (changes or {}).items()}
    if items is not None:
        items = [Item(i.kind, i.category, i.level, _lf(i.text)) for i in items]
    with transaction.atomic():
        current = CaseStudy.objects.select_for_update().get(pk=case_study.pk)
        if current.version != base_version:
            raise EditConflict(_with_items(current))
        validate_editable(status=current.status)
        old_items = items_of(_with_items(current))
        changed = {name: value for name, value in changes.items()
                   if getattr(current, name) != value}
        # In the order the items are kept and read (CodedItem.Meta): barriers, then drivers.
        new_items = old_items if items is None else sorted(items, key=lambda item: item.kind)
        if not changed and new_items == old_items:
            return current
        validate_item_count(len(new_items))
        for name, value in changed.items():
            setattr(current, name, value)
        current.version += 1
        current.updated_by = by
        current.full_clean()
        rows = _item_rows(current, new_items)
        current._history_user = by
        current.save()
        CodedItem.objects.filter(case_study=current).delete()
        CodedItem.objects.bulk_create(rows)
        # The version's own row keeps the items it had.
        current.history.filter(version=current.version).update(
            items=[item.as_dict() for item in new_items])
    return current


def casestudy_restore(*, case_study: CaseStudy, number: int, base_version: int,
                      by) -> CaseStudy:
    """Make version ``number`` the text again, as a new version on top of ``base_version``."""
    old = case_study.history.filter(version=number).first()
    if old is None:
        raise ValidationError(_("There is no version %(number)s."), code="no_version",
                              params={"number": number})
    return casestudy_save(
        case_study=case_study, base_version=base_version, by=by,
        changes={name: getattr(old, name) for name in CaseStudy.EDITABLE},
        items=[Item(**item) for item in old.items])


def _lf(text: str) -> str:
    return text.replace("\r\n", "\n")


def _with_items(case_study: CaseStudy) -> CaseStudy:
    return (CaseStudy.objects.prefetch_related("items__category")
            .select_related("updated_by").get(pk=case_study.pk))


def _item_rows(case_study: CaseStudy, items: list[Item]) -> list[CodedItem]:
    """Validated rows for ``items``; a category that no longer exists is a clear error."""
    categories = Category.objects.in_bulk({item.category for item in items},
                                          field_name="slug")
    rows = []
    for order, item in enumerate(items):
        category = categories.get(item.category)
        if category is None:
            raise ValidationError(
                _("The category “%(category)s” no longer exists; please choose another."),
                code="unknown_category", params={"category": item.category})
        row = CodedItem(case_study=case_study, kind=item.kind, category=category,
                        level=item.level, text=item.text, order=order)
        row.full_clean(exclude=["case_study"])
        rows.append(row)
    return rows
