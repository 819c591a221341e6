"""Hostile URLs never give a 500: the admin, as staff, and every URL pattern of the site.

The admin (staff with a second factor): every changelist with hostile filters, search,
ordering (``o=``), date hierarchy, pagination (``p=``) and unknown parameters; every change,
history and delete URL with ids that are no key; the autocomplete with hostile parameters;
add and change posts with tampered inline formsets. The whole site: a NUL byte in the path,
the query string and a posted field of every URL pattern (PostgreSQL refuses NUL in text).

Fixed lists where a fixed list covers the ground, Hypothesis for the filter values. One world
(the permission matrix's: the demo programme and one user per role) per module, built in a
transaction rolled back at the end; each test runs in a savepoint on top.
"""

import re
from urllib.parse import quote, urlencode

import pytest
from django.contrib import admin
from django.db import transaction
from django.http import Http404
from django.test import Client, RequestFactory
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.permissions import PROJECT_APPS
from tandems.views import calendars
from tests.factories import StaffFactory
from tests.security.strategies import hostile
from tests.security.test_permission_matrix import (
    client_for,
    finish,
    route_for,
    url_patterns,
)

pytestmark = pytest.mark.django_db

FEW = settings(max_examples=4, deadline=None, database=None,
               suppress_health_check=[HealthCheck.function_scoped_fixture,
                                      HealthCheck.too_slow])
#: Values for a filter parameter that are wrong in every way but a NUL byte (which has a
#: test of its own): too big for any integer column; a list with a quote and a non-ASCII
#: letter.
FILTER_VALUES = ["9" * 20, "1,x'ä"]
#: Ids that are no primary key.
BAD_IDS = ["abc", "9" * 20, "-1", "1.5"]


@pytest.fixture
def staff(world) -> Client:
    """The matrix's staff member, who has set up an authenticator app."""
    return client_for(world, "staff", raise_request_exception=False)


@pytest.fixture
def manager(staff):
    """``manager(model)``: a client that reaches the model's changelist: staff for the
    platform's models, a superuser for Django's and allauth's (staff get 403 there)."""
    def client_for_model(model) -> Client:
        if model._meta.app_label in PROJECT_APPS:
            return staff
        superuser = Client(raise_request_exception=False)
        superuser.force_login(StaffFactory(is_superuser=True))
        return superuser

    return client_for_model


def get(client, url, query: dict | str = "") -> int:
    if isinstance(query, dict):
        query = urlencode(query, doseq=True)
    response = client.get(f"{url}?{query}" if query else url)
    finish(response)
    return response.status_code


def admin_url(model, view, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


REGISTRY = sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)
MODELS = [model for model, _model_admin in REGISTRY]
IDS = [model._meta.label for model in MODELS]
# The models whose changelists staff reach and that have filters (the others are 403).
FILTERED = [model for model, model_admin in REGISTRY
            if model._meta.app_label in PROJECT_APPS and model_admin.list_filter]


# -- changelists ------------------------------------------------------------------------------

FILTER_PARAMETERS: dict[str, list[str]] = {}


def filter_parameters(client, model) -> list[str]:
    """The query parameters of the changelist's filters, as the changelist itself has them
    (asked once per model)."""
    if model._meta.label not in FILTER_PARAMETERS:
        response = client.get(admin_url(model, "changelist"))
        assert response.status_code in (200, 403), response.status_code
        specs = response.context["cl"].filter_specs if response.status_code == 200 else []
        FILTER_PARAMETERS[model._meta.label] = [
            name for spec in specs for name in spec.expected_parameters()]
    return FILTER_PARAMETERS[model._meta.label]


def fixed_queries(model_admin) -> list[str]:
    """Search, ordering, pagination, date hierarchy and unknown parameters, all hostile."""
    queries = ["q=%25%27_%5C" + "ä" * 300, "o=abc", "o=-1.x.99", "p=abc", "p=" + "9" * 20,
               "foo__bar=1", "_to_field=password&_facets=x"]
    if hierarchy := model_admin.date_hierarchy:
        queries += [f"{hierarchy}__year={year}" for year in ("9" * 20, "9999")]
        queries += [f"{hierarchy}__year=2024&{hierarchy}__month=13",
                    f"{hierarchy}__year=9999&{hierarchy}__month=12&{hierarchy}__day=31",
                    f"{hierarchy}__year=2024&{hierarchy}__month=1&{hierarchy}__day=" + "9" * 20]
    return queries


@pytest.mark.parametrize("model", MODELS, ids=IDS)
def test_a_changelist_answers_hostile_query_strings_without_a_500(manager, model):
    model_admin = admin.site._registry[model]
    client, url = manager(model), admin_url(model, "changelist")
    assert get(client, url) == 200  # the hostile queries below reach the changelist
    parameters = filter_parameters(client, model)
    failures = [f"{name}={value!r}: {status}" for name in parameters for value in FILTER_VALUES
                if (status := get(client, url, {name: value})) >= 500]
    failures += [f"{query}: {status}" for query in fixed_queries(model_admin)
                 if (status := get(client, url, query)) >= 500]
    assert not failures, f"{url}\n" + "\n".join(failures)


@pytest.mark.parametrize("model", MODELS, ids=IDS)
def test_a_nul_byte_in_any_changelist_parameter_is_a_400(manager, model):
    client, url = manager(model), admin_url(model, "changelist")
    parameters = filter_parameters(client, model) + ["q", "o", "p"]
    if hierarchy := admin.site._registry[model].date_hierarchy:
        parameters.append(f"{hierarchy}__year")
    statuses = {name: get(client, url, {name: "1\x00"}) for name in parameters}
    assert set(statuses.values()) == {400}, statuses


@pytest.mark.parametrize("model", FILTERED, ids=[model._meta.label for model in FILTERED])
@FEW
@given(draw=st.data())
def test_a_changelist_with_random_filter_values_is_not_a_500(staff, model, draw):
    parameters = filter_parameters(staff, model)
    query = draw.draw(st.dictionaries(st.sampled_from(parameters), hostile, min_size=1,
                                      max_size=3), label="query")
    assert get(staff, admin_url(model, "changelist"), query) < 500


# -- objects ----------------------------------------------------------------------------------

@pytest.mark.parametrize("model", MODELS, ids=IDS)
def test_change_history_and_delete_urls_with_ids_that_are_no_key_are_not_a_500(staff, model):
    failures = []
    for view in ("change", "history", "delete"):
        for bad in BAD_IDS:
            url = admin_url(model, view, bad)
            if (status := get(staff, url)) >= 500:
                failures.append(f"{url}: {status}")
    if hasattr(admin.site._registry[model], "history_form_view"):  # one version's page
        first = model._default_manager.order_by("pk").first()
        for object_id, version in [(bad, "1") for bad in BAD_IDS] + [
                (str(getattr(first, "pk", 1)), bad) for bad in BAD_IDS]:
            url = admin_url(model, "simple_history", object_id, version)
            if (status := get(staff, url)) >= 500:
                failures.append(f"{url}: {status}")
    assert not failures, "\n".join(failures)


# -- the autocomplete -------------------------------------------------------------------------

def autocomplete_fields() -> list[tuple[str, str, str]]:
    """(app label, model name, field name) of every autocomplete field, inlines included."""
    found = set()
    for model, model_admin in REGISTRY:
        owners = [(model, model_admin)] + [(inline.model, inline) for inline in
                                          (cls(model, admin.site) for cls in model_admin.inlines)]
        for owner, owner_admin in owners:
            for name in owner_admin.autocomplete_fields:
                found.add((owner._meta.app_label, owner._meta.model_name, name))
    return sorted(found)


AUTOCOMPLETE_QUERIES = [
    {"term": "\x00"}, {"term": "%'_\\"}, {"term": "ä" * 500}, {"page": "abc"}, {"page": "-1"},
    {"page": "9" * 20}, {"app_label": "nope"}, {"model_name": "\x00"}, {"field_name": "id"},
    {"field_name": "password"}, {"app_label": ""},
]


@pytest.mark.parametrize("field", autocomplete_fields(), ids=".".join)
def test_the_autocomplete_with_hostile_parameters_is_not_a_500(staff, field):
    app_label, model_name, field_name = field
    good = {"app_label": app_label, "model_name": model_name, "field_name": field_name,
            "term": "K"}
    url = reverse("admin:autocomplete")
    assert get(staff, url, good) == 200
    statuses = {str(query): get(staff, url, {**good, **query}) for query in AUTOCOMPLETE_QUERIES}
    assert all(status < 500 for status in statuses.values()), statuses
    assert statuses[str({"term": "\x00"})] == 400


# -- add and change posts with tampered inline formsets ----------------------------------------

def form_data(response) -> dict:
    """The post the admin's add or change page would send unchanged: every form and inline
    field with its initial value, the management forms included."""
    data = {}

    def add(form):
        for bound in form:
            value = bound.value()
            if value is None or value is False:
                continue
            if value is True:
                value = "on"
            data[bound.html_name] = [str(v) for v in value] if isinstance(value, list | tuple) \
                else str(value)

    add(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        add(formset.management_form)
        for form in formset.forms:
            add(form)
    return data


def tampered(data: dict, prefixes: list[str]) -> list[dict]:
    """``data`` with one tampered management count, row id or autocomplete id at a time."""
    posts = []
    for prefix in prefixes:
        for field, values in {"TOTAL_FORMS": ["abc", "-1", "1001"],
                              "INITIAL_FORMS": ["7", "-1"], "MAX_NUM_FORMS": [""]}.items():
            posts += [{**data, f"{prefix}-{field}": value} for value in values]
        initial = int(data[f"{prefix}-INITIAL_FORMS"])
        if initial:  # an existing row passed off as a new one
            posts.append({**data, f"{prefix}-INITIAL_FORMS": str(initial - 1)})
        posts.append({k: v for k, v in data.items() if not k.startswith(f"{prefix}-")})
        posts += [{**data, f"{prefix}-TOTAL_FORMS": "1", f"{prefix}-INITIAL_FORMS": "1",
                   f"{prefix}-0-id": value} for value in ["abc", "9" * 20, ""]]
    return posts


def autocomplete_posts(data: dict, model_admin) -> list[dict]:
    return [{**data, name: value} for name in model_admin.autocomplete_fields
            for value in ("abc", "9" * 20)]


def _first(model):
    return model._default_manager.order_by("pk").first()


#: A sample: inlines that save, inlines that only show, a custom save_formset, autocomplete
#: fields on the page and in an inline.
ADMIN_FORMS = {
    "programme.City-change", "programme.Programme-change", "tandems.Tandem-change",
    "tandems.Meeting-change", "tandems.PairingRule-add", "applications.LateEntry-add",
    "casestudies.CaseStudy-change",
}


@pytest.mark.parametrize("case", sorted(ADMIN_FORMS))
def test_an_admin_post_with_tampered_inlines_or_ids_is_not_a_500(staff, case):
    label, view = case.split("-")
    model = next(m for m in MODELS if m._meta.label == label)
    model_admin = admin.site._registry[model]
    url = admin_url(model, view, _first(model).pk) if view == "change" else admin_url(model, "add")
    page = staff.get(url)
    assert page.status_code == 200, page.status_code
    data = form_data(page)
    prefixes = sorted({name[:-len("-TOTAL_FORMS")] for name in data
                       if name.endswith("-TOTAL_FORMS")})
    failures = []
    for post in [data] + tampered(data, prefixes) + autocomplete_posts(data, model_admin):
        with transaction.atomic():  # each post meets the same objects
            response = staff.post(url, post)
            transaction.set_rollback(True)
        if response.status_code >= 500:
            changed = {k: v for k, v in post.items() if data.get(k) != v}
            failures.append(f"{changed or 'as sent, or a management form left out'}: "
                            f"{response.status_code}")
    if view == "add":  # the add page takes initial values from the query string
        failures += [f"?{name}={bad}: {status}" for name in model_admin.autocomplete_fields
                     for bad in ("abc", "1.5") if (status := get(staff, url, {name: bad})) >= 500]
    assert not failures, f"{url}\n" + "\n".join(failures)


# -- every URL of the site: NUL bytes -----------------------------------------------------------

SITE = sorted({name for name, _route in url_patterns() if name and route_for(name)})


def with_nul_in_path(url: str) -> str:
    """``url`` with a NUL byte in its last path segment (in a token, an id, a slug)."""
    path, _, query = url.partition("?")
    head, last = re.match(r"^(.*?)([^/]*/?)$", path).groups()
    return head + (last[:1] + quote("\x00") + last[1:] if last else quote("\x00"))


@pytest.mark.parametrize("name", SITE)
def test_a_nul_byte_in_the_path_query_or_form_of_any_url_is_a_400(world, name):
    url = route_for(name).url(name, world)
    client = client_for(world, "staff" if name.startswith("admin:") else "contact",
                        raise_request_exception=False)
    statuses = {
        "path": get(client, with_nul_in_path(url)),
        "query": get(client, url.partition("?")[0], url.partition("?")[2] + "&x=%00"),
        "query name": get(client, url.partition("?")[0], "x%00=1"),
    }
    response = client.post(url, {"name": "a\x00b"})
    finish(response)
    statuses["form"] = response.status_code
    assert statuses == dict.fromkeys(statuses, 400), f"{url}: {statuses}"


def test_a_calendar_token_that_is_no_token_is_not_looked_up(django_assert_num_queries):
    """Behind the NUL-byte guard, the feed itself takes only what a token looks like."""
    for token in ("ab\x00cd", "a b", "ä" * 10, "x" * 65):
        with django_assert_num_queries(0), pytest.raises(Http404):
            calendars.feed(RequestFactory().get("/calendar/x.ics"), token=token)
