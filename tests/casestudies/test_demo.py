"""The demo's draft case studies: one per tandem, by the demo researcher, with items."""

import io

import pytest
from django.core import serializers
from django.core.management import call_command

from casestudies.enums import CaseStudyStatus, ItemKind
from casestudies.models import CaseStudy, Category, CodedItem
from casestudies.services import items_of
from tandems.models import Tandem
from tests.casestudies.conftest import make_case_study

pytestmark = pytest.mark.django_db


def seed_demo():
    call_command("seed_demo", stdout=io.StringIO())


def snapshot():
    return {model.__name__: serializers.serialize("json", model.objects.order_by("pk"))
            for model in (CaseStudy, CaseStudy.history.model, CodedItem)}


def test_seed_demo_writes_a_draft_case_study_for_each_tandem():
    seed_demo()
    studies = CaseStudy.objects.select_related("tandem").prefetch_related(
        "tandem__memberships__city", "researchers", "items__category")
    assert {cs.tandem for cs in studies} == set(Tandem.objects.all())
    assert len(studies) == Tandem.objects.count() == 6
    slugs = set(Category.objects.values_list("slug", flat=True))
    for case_study in studies:
        assert case_study.title == f"[Demo] Fallstudie {case_study.tandem}"
        assert (case_study.status, case_study.is_demo, case_study.language) == (
            CaseStudyStatus.DRAFT, True, "de")
        assert [r.email for r in case_study.researchers.all()] == ["researcher@example.org"]
        assert case_study.context.startswith("[Demodaten]")
        assert case_study.summary_en.startswith("[Demo data]")
        for topic in case_study.tandem.topics.select_related("topic", "lighthouse"):
            assert f"- {topic.topic.name_de}: geleitet von {topic.lighthouse.name}" in (
                case_study.transfer)
        items = items_of(case_study)
        kinds = [item.kind for item in items]
        assert 3 <= kinds.count(ItemKind.BARRIER) <= 5, case_study
        assert 3 <= kinds.count(ItemKind.DRIVER) <= 5, case_study
        assert {item.category for item in items} <= slugs
        researcher = case_study.researchers.get()
        history = case_study.history.order_by("history_date", "history_id")
        assert [(row.version, row.history_user) for row in history] == [
            (1, researcher), (2, researcher)]
        assert history.last().items == [item.as_dict() for item in items]
        assert case_study.version == 2


def test_seed_demo_names_the_tandem_by_its_current_partner():
    seed_demo()
    assert CaseStudy.objects.filter(title="[Demo] Fallstudie Krefeld – Venlo").exists()
    assert not CaseStudy.objects.filter(title__contains="Sofia").exists()


def test_seed_demo_twice_changes_no_case_study():
    seed_demo()
    before = snapshot()
    seed_demo()
    assert snapshot() == before
    assert CaseStudy.objects.count() == 6 and CaseStudy.history.count() == 12


def test_seed_demo_leaves_a_case_study_that_already_exists():
    seed_demo()
    hamm = CaseStudy.objects.get(tandem__memberships__city__name="Hamm")
    tandem = hamm.tandem
    CodedItem.objects.filter(case_study=hamm).delete()
    hamm.delete()
    own = make_case_study(tandem=tandem, title="Fallstudie Hamm – Arezzo")
    seed_demo()
    own.refresh_from_db()
    assert (own.title, own.version, own.is_demo) == ("Fallstudie Hamm – Arezzo", 1, False)
    assert CaseStudy.objects.count() == 6
