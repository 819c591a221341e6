"""CSRF on every POST: no project view is exempt, and a POST without a token is refused."""

import pytest
from django.http import HttpResponseForbidden
from django.test import override_settings
from django.urls import URLResolver, get_resolver

from accounts.permissions import PROJECT_APPS
from tests.security.test_permission_matrix import (
    COVERED,
    client_for,
    finish,
    route_for,
)

PROJECT_MODULES = tuple(f"{app}." for app in PROJECT_APPS | {"core", "config"})
REFUSED = "csrf-refused"


def csrf_refused(request, reason=""):
    """Stand-in for Django's CSRF failure page, so a CSRF refusal is told from any other 403."""
    response = HttpResponseForbidden(reason)
    response[REFUSED] = "1"
    return response


def callbacks():
    """Every view of every URL pattern, named or not, walking the includes."""
    def walk(patterns):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns)
            else:
                yield str(pattern.pattern), pattern.callback

    return list(walk(get_resolver().url_patterns))


def test_no_project_view_is_csrf_exempt():
    project = [(route, view) for route, view in callbacks()
               if getattr(view, "__module__", "").startswith(PROJECT_MODULES)]
    assert len(project) > 40, "the walk found too few project views"
    exempt = [route for route, view in project if getattr(view, "csrf_exempt", False)]
    assert not exempt, f"csrf_exempt project views: {exempt}"


def test_no_view_at_all_is_csrf_exempt():
    """The admin and allauth included: nothing in the URL configuration skips the check."""
    exempt = [route for route, view in callbacks() if getattr(view, "csrf_exempt", False)]
    assert not exempt, f"csrf_exempt views: {exempt}"


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["staff", "contact"])
@override_settings(CSRF_FAILURE_VIEW="tests.security.test_csrf.csrf_refused")
def test_post_without_a_token_is_refused_everywhere(world, role):
    """POST to every URL in the matrix with CSRF checks on and no token: 403 from the CSRF
    check for each, before any view runs."""
    client = client_for(world, role, enforce_csrf_checks=True)
    client.get(route_for("programme:page").url("programme:page", world))
    assert "csrftoken" in client.cookies  # the browser has the cookie; only the token is missing
    failures = []
    for name in COVERED:
        url = route_for(name).url(name, world)
        response = client.post(url, {"save": "1", "submit": "1", "action": "submit"})
        finish(response)
        if response.status_code != 403 or not response.has_header(REFUSED):
            failures.append(f"{name}: POST {url} as {role} -> {response.status_code}")
    assert not failures, "\n".join(failures)
    print(f"\n{len(COVERED)} URLs refuse a POST without a CSRF token as {role}")


@pytest.mark.django_db
def test_the_same_post_with_a_token_gets_past_the_check(world):
    """The refusal above is the CSRF check's: with the token a POST reaches the view."""
    client = client_for(world, "contact", enforce_csrf_checks=True)
    client.get(route_for("notifications:preferences").url("notifications:preferences", world))
    token = client.cookies["csrftoken"].value
    url = route_for("tandems:meeting_status").url("tandems:meeting_status", world)
    response = client.post(url, {"status": "nonsense", "csrfmiddlewaretoken": token})
    assert response.status_code == 400  # the view's own answer to a bad status
