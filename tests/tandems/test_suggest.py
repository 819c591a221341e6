import io
import json
from datetime import date

import pytest
from django.core.management import call_command

from tandems.enums import TandemState
from tandems.models import Tandem
from tandems.services import tandem_set_state

pytestmark = pytest.mark.django_db


def suggestions():
    out = io.StringIO()
    call_command("suggest_tandems", "--json", stdout=out)
    return json.loads(out.getvalue())


def test_no_free_place_no_suggestion(seeded):
    assert suggestions() == {"free_places": 0, "suggestions": []}


def test_a_freed_place_gets_the_best_pair_with_reasons(seeded):
    pirna = Tandem.objects.get(memberships__city__name="Pirna")
    tandem_set_state(tandem=pirna, state=TandemState.DISSOLVED, on=date(2022, 6, 1))
    result = suggestions()
    assert result["free_places"] == 1
    (pair,) = result["suggestions"]
    assert pair["score"] == sum(pair["breakdown"].values()) > 0
    assert pair["partner"] in {"Sofia", "Bolesławiec"}
    assert all(lead in ("german", "partner") for lead in pair["lighthouses"].values())
    out = io.StringIO()
    call_command("suggest_tandems", stdout=out)
    assert "1 free place(s)" in out.getvalue() and pair["german"] in out.getvalue()


def test_staff_rules_steer_the_command(seeded):
    from programme.models import City
    from tandems.models import PairingRule

    pirna = Tandem.objects.get(memberships__city__name="Pirna")
    tandem_set_state(tandem=pirna, state=TandemState.DISSOLVED, on=date(2022, 6, 1))
    programme = pirna.programme
    PairingRule.objects.create(programme=programme, kind="require",
                               german_city=City.objects.get(name="Kiel"),
                               partner_city=City.objects.get(name="Sofia"))
    (pair,) = suggestions()["suggestions"]
    assert (pair["german"], pair["partner"]) == ("Kiel", "Sofia")
