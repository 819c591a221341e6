import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/de/", "/en/impressum/", "/de/accounts/login/", "/healthz"])
def test_every_response_carries_a_csp_without_unsafe_inline(client, seeded, path):
    policy = client.get(path)["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy
    assert "style-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy


def test_pages_contain_no_inline_script_or_style(client, seeded):
    html = client.get("/de/").content.decode()
    assert "<script>" not in html
    assert "style=" not in html
    assert "<style" not in html
