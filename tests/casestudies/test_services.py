"""The write paths of case studies: every save a version, conflicts refused, rules kept."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from casestudies.enums import CaseStudyStatus
from casestudies.models import ITEM_TEXT_MAX, SECTION_MAX, CaseStudy, CodedItem
from casestudies.services import Item, casestudy_create, casestudy_restore, casestudy_save, items_of
from casestudies.validators import MAX_ITEMS
from core.conflicts import EditConflict
from tests.casestudies.conftest import (
    EU,
    FUNDING,
    POLITICS,
    SKILLS,
    make_case_study,
    make_researcher,
    make_tandem,
)
from tests.factories import StaffFactory, UserFactory, tandem_factory
from tests.support import postgres_available, require

pytestmark = pytest.mark.django_db

# A published study is edited into a new draft (tests/casestudies/test_review.py).
NOT_EDITABLE = [CaseStudyStatus.IN_REVIEW, CaseStudyStatus.WITH_CITIES]


def state(case_study):
    """Everything a save could write: the fields, the items and the number of versions."""
    case_study = CaseStudy.objects.get(pk=case_study.pk)
    return ({name: getattr(case_study, name) for name in (*CaseStudy.EDITABLE, "version",
                                                          "status", "updated_by_id")},
            [i.as_dict() for i in items_of(case_study)],
            list(CodedItem.objects.filter(case_study=case_study).values_list("pk", flat=True)),
            case_study.history.count())


def versions(case_study):
    """(version, history user, items snapshot) of each kept version, oldest first."""
    return [(row.version, row.history_user, row.items)
            for row in case_study.history.order_by("history_date", "history_id")]


def as_dicts(items):
    return [item.as_dict() for item in items]


def written(case_study, base, by=None, changes=None, items=None):
    return casestudy_save(case_study=case_study, base_version=base, by=by, changes=changes,
                          items=items)


# -- create ------------------------------------------------------------------------------


def test_create_starts_an_empty_draft_as_version_1(tandem, researcher):
    staff = StaffFactory()
    case_study = casestudy_create(tandem=tandem, title="Fallstudie Krefeld – Venlo",
                                  language="en", researchers=[researcher], by=staff)
    case_study = CaseStudy.objects.get(pk=case_study.pk)
    assert (case_study.tandem, case_study.title, case_study.language) == (
        tandem, "Fallstudie Krefeld – Venlo", "en")
    assert (case_study.status, case_study.version, case_study.updated_by) == (
        CaseStudyStatus.DRAFT, 1, staff)
    assert list(case_study.researchers.all()) == [researcher]
    assert all(getattr(case_study, name) == "" for name in CaseStudy.SECTIONS)
    assert not case_study.is_demo and not case_study.items.exists()
    assert versions(case_study) == [(1, staff, [])]


def test_create_marks_demo_data_when_asked(tandem):
    assert casestudy_create(tandem=tandem, title="[Demo] Fallstudie", is_demo=True).is_demo


def test_create_a_second_case_study_for_the_same_tandem_is_refused(case_study):
    with pytest.raises(ValidationError) as error:
        casestudy_create(tandem=case_study.tandem, title="Noch eine Fallstudie")
    assert "tandem" in error.value.message_dict
    assert list(CaseStudy.objects.values_list("title", flat=True)) == [
        "Fallstudie Krefeld – Venlo"]
    assert CaseStudy.history.count() == 1


def test_create_each_tandem_has_its_own_case_study(case_study):
    other = casestudy_create(tandem=make_tandem("Hamm", "Arezzo"), title="Fallstudie Hamm")
    assert other.tandem != case_study.tandem and CaseStudy.objects.count() == 2


@pytest.mark.parametrize("fields, field", [
    ({"title": ""}, "title"),
    ({"title": "x" * 201}, "title"),
    ({"title": "Fallstudie", "language": "fr"}, "language"),
])
def test_create_with_a_bad_value_is_refused_and_writes_nothing(tandem, fields, field):
    with pytest.raises(ValidationError) as error:
        casestudy_create(tandem=tandem, **fields)
    assert field in error.value.message_dict
    assert not CaseStudy.objects.exists() and not CaseStudy.history.exists()


# -- save: every save a version ----------------------------------------------------------


def test_save_each_save_is_a_version_with_its_author_and_items(case_study, researcher):
    other = make_researcher()
    plan = [
        (researcher, {"context": "Zwei Städte am Niederrhein."}, [FUNDING]),
        (other, {"transfer": "Beteiligung online."}, [FUNDING, SKILLS, POLITICS]),
        (researcher, {"title": "Fallstudie Krefeld – Venlo (Entwurf)"}, None),
        (other, {}, [POLITICS]),
    ]
    expected = [(1, researcher, [])]
    items = []
    for number, (author, changes, new_items) in enumerate(plan, start=2):
        case_study = written(case_study, number - 1, author, changes, new_items)
        items = items if new_items is None else new_items
        assert (case_study.version, case_study.updated_by) == (number, author)
        expected.append((number, author, as_dicts(items)))
    assert versions(case_study) == expected
    saved = CaseStudy.objects.get(pk=case_study.pk)
    assert (saved.version, saved.title, saved.context, saved.transfer) == (
        5, "Fallstudie Krefeld – Venlo (Entwurf)", "Zwei Städte am Niederrhein.",
        "Beteiligung online.")
    assert items_of(saved) == [POLITICS]
    # Each historical row holds that version's text as well as its items.
    assert [row.context for row in saved.history.order_by("version")] == [
        "", *["Zwei Städte am Niederrhein."] * 4]
    assert saved.history.get(version=3).transfer == "Beteiligung online."


def test_save_keeps_the_items_in_their_given_order(case_study):
    items = [SKILLS, FUNDING, EU, POLITICS]
    case_study = written(case_study, 1, items=items)
    assert items_of(CaseStudy.objects.get(pk=case_study.pk)) == items
    assert list(CodedItem.objects.filter(case_study=case_study).order_by("order")
                .values_list("order", "text")) == [(n, i.text) for n, i in enumerate(items)]
    assert case_study.history.get(version=2).items == as_dicts(items)


def test_save_items_snapshot_equals_the_items_as_kept_when_drivers_come_first(case_study):
    # Items are kept and read barriers first (CodedItem.Meta.ordering); the snapshot of
    # the version must hold them in that same order, and saving them again is no change.
    case_study = written(case_study, 1, items=[POLITICS, FUNDING])
    kept = items_of(CaseStudy.objects.get(pk=case_study.pk))
    assert kept == [FUNDING, POLITICS]
    assert case_study.history.get(version=2).items == as_dicts(kept)
    assert written(case_study, 2, items=[POLITICS, FUNDING]).version == 2
    assert case_study.history.count() == 2


def test_save_items_none_keeps_the_items_and_an_empty_list_removes_them(case_study):
    case_study = written(case_study, 1, items=[FUNDING, POLITICS])
    case_study = written(case_study, 2, changes={"results": "Ein Beteiligungsportal."})
    assert items_of(CaseStudy.objects.get(pk=case_study.pk)) == [FUNDING, POLITICS]
    assert case_study.history.get(version=3).items == as_dicts([FUNDING, POLITICS])
    case_study = written(case_study, 3, items=[])
    assert case_study.version == 4 and not case_study.items.exists()
    assert case_study.history.get(version=4).items == []


@pytest.mark.parametrize("changes, items", [
    ({}, None),
    ({"context": "Zwei Städte."}, None),
    ({}, [FUNDING]),
    ({"context": "Zwei Städte.", "title": "Fallstudie Krefeld – Venlo", "language": "de"},
     [FUNDING]),
])
def test_save_without_a_change_makes_no_version(case_study, changes, items):
    case_study = written(case_study, 1, changes={"context": "Zwei Städte."}, items=[FUNDING])
    before = state(case_study)
    result = written(case_study, 2, UserFactory(), changes, items)
    assert result.version == 2
    assert state(case_study) == before


def test_save_by_nobody_is_a_version_without_a_user(case_study):
    case_study = written(case_study, 1, None, {"sources": "Interviews 2023"})
    assert versions(case_study)[-1] == (2, None, [])
    assert CaseStudy.objects.get(pk=case_study.pk).updated_by is None


# -- save: conflicts ---------------------------------------------------------------------


@pytest.mark.parametrize("base", [1, 2, 4, 0])
def test_save_from_a_stale_version_is_a_conflict_and_writes_nothing(case_study, researcher,
                                                                     base):
    case_study = written(case_study, 1, researcher, {"context": "Annas Kontext"}, [FUNDING])
    case_study = written(case_study, 2, researcher, {"context": "Annas zweiter Kontext"},
                         [FUNDING, POLITICS])
    before = state(case_study)
    with pytest.raises(EditConflict) as conflict:
        written(case_study, base, make_researcher(), {"context": "Bens Kontext"}, [SKILLS])
    current = conflict.value.current
    assert (current.pk, current.version, current.context, current.updated_by) == (
        case_study.pk, 3, "Annas zweiter Kontext", researcher)
    assert items_of(current) == [FUNDING, POLITICS]
    assert state(case_study) == before


def test_save_a_conflict_also_when_the_stale_save_changes_nothing(case_study):
    written(case_study, 1, changes={"context": "Neu"})
    before = state(case_study)
    with pytest.raises(EditConflict):
        written(case_study, 1)
    assert state(case_study) == before


def test_save_the_loser_merges_and_saves_on_top_of_the_winner(case_study):
    written(case_study, 1, changes={"context": "Anna"})
    with pytest.raises(EditConflict) as conflict:
        written(case_study, 1, changes={"context": "Ben"})
    merged = written(case_study, conflict.value.current.version,
                     changes={"context": "Anna und Ben"})
    assert (merged.version, merged.context) == (3, "Anna und Ben")


# -- save: the rules ---------------------------------------------------------------------


@pytest.mark.parametrize("status", NOT_EDITABLE)
def test_save_not_while_in_review_or_with_the_cities(case_study, status):
    case_study = written(case_study, 1, changes={"context": "Entwurf"}, items=[FUNDING])
    CaseStudy.objects.filter(pk=case_study.pk).update(status=status)
    before = state(case_study)
    for changes, items in (({"context": "Geändert"}, None), ({}, [POLITICS]), ({}, None)):
        with pytest.raises(ValidationError) as error:
            written(case_study, 2, changes=changes, items=items)
        assert error.value.code == "not_editable"
    assert state(case_study) == before


@pytest.mark.parametrize("name", CaseStudy.SECTIONS)
def test_save_an_over_long_section_is_refused_and_writes_nothing(case_study, name):
    before = state(case_study)
    with pytest.raises(ValidationError) as error:
        written(case_study, 1, changes={name: "x" * (SECTION_MAX + 1)}, items=[FUNDING])
    assert list(error.value.message_dict) == [name]
    assert state(case_study) == before


@pytest.mark.parametrize("name", CaseStudy.SECTIONS)
def test_save_a_section_of_the_maximum_length_is_kept(case_study, name):
    case_study = written(case_study, 1, changes={name: "x" * SECTION_MAX})
    assert len(getattr(CaseStudy.objects.get(pk=case_study.pk), name)) == SECTION_MAX


@pytest.mark.parametrize("changes, field", [
    ({"title": ""}, "title"),
    ({"title": "x" * 201}, "title"),
    ({"language": "fr"}, "language"),
])
def test_save_a_bad_title_or_language_is_refused_and_writes_nothing(case_study, changes,
                                                                    field):
    before = state(case_study)
    with pytest.raises(ValidationError) as error:
        written(case_study, 1, changes=changes)
    assert field in error.value.message_dict
    assert state(case_study) == before


def test_save_an_over_long_item_text_is_refused_and_writes_nothing(case_study):
    case_study = written(case_study, 1, items=[FUNDING])
    before = state(case_study)
    too_long = Item("driver", "participation", "local", "x" * (ITEM_TEXT_MAX + 1))
    with pytest.raises(ValidationError) as error:
        written(case_study, 2, changes={"context": "Neu"}, items=[POLITICS, too_long])
    assert "text" in error.value.message_dict
    assert state(case_study) == before
    longest = Item("driver", "participation", "local", "x" * ITEM_TEXT_MAX)
    assert written(case_study, 2, items=[longest]).version == 3


@pytest.mark.parametrize("item, field", [
    (Item("obstacle", "funding", "local", "Text"), "kind"),
    (Item("barrier", "funding", "regional", "Text"), "level"),
    (Item("barrier", "funding", "local", ""), "text"),
])
def test_save_an_item_with_a_bad_value_is_refused_and_writes_nothing(case_study, item, field):
    before = state(case_study)
    with pytest.raises(ValidationError) as error:
        written(case_study, 1, items=[FUNDING, item])
    assert field in error.value.message_dict
    assert state(case_study) == before


def test_save_more_than_max_items_is_refused_and_writes_nothing(case_study):
    many = [Item("barrier", "funding", "local", f"Hindernis {n}") for n in range(MAX_ITEMS + 1)]
    before = state(case_study)
    with pytest.raises(ValidationError) as error:
        written(case_study, 1, changes={"context": "Neu"}, items=many)
    assert error.value.code == "too_many_items"
    assert state(case_study) == before
    case_study = written(case_study, 1, items=many[:MAX_ITEMS])
    assert case_study.items.count() == MAX_ITEMS
    assert len(case_study.history.get(version=2).items) == MAX_ITEMS


def test_save_an_unknown_category_is_refused_and_writes_nothing(case_study):
    case_study = written(case_study, 1, items=[FUNDING])
    before = state(case_study)
    with pytest.raises(ValidationError) as error:
        written(case_study, 2, changes={"context": "Neu"},
                items=[POLITICS, Item("barrier", "no-such-category", "local", "Text")])
    assert error.value.code == "unknown_category"
    assert error.value.params == {"category": "no-such-category"}
    assert state(case_study) == before


@pytest.mark.parametrize("changes", [
    {"contxt": "Tippfehler"},
    {"status": CaseStudyStatus.PUBLISHED},
    {"version": 7},
    {"is_demo": True},
    {"tandem": None, "context": "Neu"},
])
def test_save_an_unknown_field_is_a_type_error_and_writes_nothing(case_study, changes):
    before = state(case_study)
    with pytest.raises(TypeError):
        written(case_study, 1, changes=changes)
    assert state(case_study) == before


# -- restore -----------------------------------------------------------------------------


def restorable(case_study, researcher):
    """Versions 1 (empty) to 4, each different in its text, language or items."""
    case_study = written(case_study, 1, researcher,
                         {"context": "Kontext 2", "summary_en": "Summary 2"}, [FUNDING])
    case_study = written(case_study, 2, researcher,
                         {"title": "Titel 3", "language": "en", "context": "Kontext 3"},
                         [POLITICS, FUNDING, EU])
    return written(case_study, 3, researcher, {"transfer": "Transfer 4", "context": ""}, [])


@pytest.mark.parametrize("number", [1, 2, 3, 4])
def test_restore_makes_an_old_version_the_text_again_as_a_new_version(case_study,
                                                                      researcher, number):
    case_study = restorable(case_study, researcher)
    old = case_study.history.get(version=number)
    restorer = make_researcher()
    restored = casestudy_restore(case_study=case_study, number=number, base_version=4,
                                 by=restorer)
    saved = CaseStudy.objects.get(pk=case_study.pk)
    if number == 4:  # the current version again: nothing to do
        assert restored.version == 4 and saved.history.count() == 4
        return
    assert (restored.version, saved.version, saved.updated_by) == (5, 5, restorer)
    for name in CaseStudy.EDITABLE:
        assert getattr(saved, name) == getattr(old, name), name
    assert [i.as_dict() for i in items_of(saved)] == old.items
    new = saved.history.get(version=5)
    assert (new.history_user, new.items) == (restorer, old.items)
    assert [getattr(new, name) for name in CaseStudy.EDITABLE] == [
        getattr(old, name) for name in CaseStudy.EDITABLE]
    # The versions in between are kept.
    assert [version for version, _, _ in versions(saved)] == [1, 2, 3, 4, 5]


def test_restore_of_a_missing_version_is_refused_and_writes_nothing(case_study, researcher):
    case_study = restorable(case_study, researcher)
    before = state(case_study)
    for number in (0, 5, 99):
        with pytest.raises(ValidationError) as error:
            casestudy_restore(case_study=case_study, number=number, base_version=4, by=None)
        assert error.value.code == "no_version"
    assert state(case_study) == before


def test_restore_of_another_case_studys_version_is_refused(case_study, researcher):
    restorable(case_study, researcher)
    other = make_case_study(title="Fallstudie Hamm – Arezzo")
    with pytest.raises(ValidationError) as error:
        casestudy_restore(case_study=other, number=3, base_version=1, by=None)
    assert error.value.code == "no_version"
    assert CaseStudy.objects.get(pk=other.pk).version == 1


def test_restore_from_a_stale_version_is_a_conflict_and_writes_nothing(case_study,
                                                                       researcher):
    case_study = restorable(case_study, researcher)
    before = state(case_study)
    with pytest.raises(EditConflict) as conflict:
        casestudy_restore(case_study=case_study, number=2, base_version=3, by=None)
    assert conflict.value.current.version == 4
    assert state(case_study) == before


@pytest.mark.parametrize("status", NOT_EDITABLE)
def test_restore_not_while_in_review_or_with_the_cities(case_study, researcher, status):
    case_study = restorable(case_study, researcher)
    CaseStudy.objects.filter(pk=case_study.pk).update(status=status)
    before = state(case_study)
    with pytest.raises(ValidationError) as error:
        casestudy_restore(case_study=case_study, number=2, base_version=4, by=None)
    assert error.value.code == "not_editable"
    assert state(case_study) == before


def test_restore_of_a_version_whose_category_was_deleted_is_refused(case_study, researcher):
    from casestudies.models import Category

    retired = Category.objects.create(slug="retired", name_de="Alt", name_en="Old")
    case_study = written(case_study, 1, items=[Item("barrier", "retired", "local", "Alt")])
    case_study = written(case_study, 2, items=[FUNDING])
    retired.delete()  # no item uses it now; version 2 still names it
    before = state(case_study)
    with pytest.raises(ValidationError) as error:
        casestudy_restore(case_study=case_study, number=2, base_version=3, by=None)
    assert error.value.code == "unknown_category"
    assert state(case_study) == before


# -- two editors at once (PostgreSQL) -----------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_save_several_editors_at_once_make_one_version_and_conflicts():
    require(postgres_available(), "the race needs PostgreSQL's row locks")
    case_study = make_case_study(tandem=tandem_factory())
    editors = [make_researcher() for _ in range(4)]
    barrier, outcomes = threading.Barrier(len(editors)), []

    def write(n, editor):
        try:
            barrier.wait()
            written(case_study, 1, editor, {"context": f"Fassung {n}"},
                    [Item("barrier", "funding", "local", f"Hindernis {n}")])
            outcomes.append(("saved", n))
        except EditConflict as conflict:
            outcomes.append(("conflict", conflict.current.version))
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(n, e)) for n, e in enumerate(editors)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    (winner,) = [n for outcome, n in outcomes if outcome == "saved"]
    assert sorted(outcomes) == [("conflict", 2)] * 3 + [("saved", winner)]
    saved = CaseStudy.objects.get(pk=case_study.pk)
    assert (saved.version, saved.context, saved.updated_by) == (
        2, f"Fassung {winner}", editors[winner])
    assert [i.text for i in saved.items.all()] == [f"Hindernis {winner}"]
    assert [(v, u, [i["text"] for i in items]) for v, u, items in versions(saved)] == [
        (1, None, []), (2, editors[winner], [f"Hindernis {winner}"])]


def test_save_line_endings_from_a_browser_change_nothing(case_study):
    casestudy_save(case_study=case_study, base_version=1, by=None,
                   changes={"context": "Erste Zeile.\nZweite Zeile."},
                   items=[Item("barrier", "funding", "local", "Eins.\nZwei.")])
    again = casestudy_save(case_study=case_study, base_version=2, by=None,
                           changes={"context": "Erste Zeile.\r\nZweite Zeile."},
                           items=[Item("barrier", "funding", "local", "Eins.\r\nZwei.")])
    assert again.version == 2 and again.history.count() == 2
