import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": "kX9!vQ2#rT7$wZ4%yB1^nM6&pL3*hJ8(gF5)dS0_aE2+cV7=uI9",
    "ALLOWED_HOSTS": "vernetztineuropa.example",
    "DATABASE_URL": "sqlite:////tmp/vie-deploy-check.sqlite3",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "EMAIL_URL": "smtp+tls://mailer:secret@mail.example:587",
}


def manage(*args, env):
    # The browser tests allow async-unsafe calls in-process; a deploy check must not inherit it.
    unset = ("SECRET_KEY", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE")
    base = {k: v for k, v in os.environ.items() if k not in unset}
    base["DJANGO_SETTINGS_MODULE"] = "config.settings.base"
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env={**base, **env},
                          capture_output=True, text=True, timeout=120)


def test_deploy_check_is_clean_with_production_variables():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr


def test_missing_secret_key_without_debug_fails_naming_it():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "SECRET_KEY"}
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "Set the SECRET_KEY environment variable" in result.stderr


def test_debug_runs_without_a_secret_key():
    result = manage("check", env={"DEBUG": "1", "DATABASE_URL": "sqlite:////tmp/vie-dev.sqlite3"})
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("name", ["TIME_ZONE", "LANGUAGE_CODE"])
def test_programme_defaults(settings, name):
    assert {"TIME_ZONE": "Europe/Berlin", "LANGUAGE_CODE": "de"}[name] == getattr(settings, name)


def test_manage_py_runs_commands_on_a_laptop_without_a_secret_key():
    env = {k: v for k, v in os.environ.items()
           if k not in ("SECRET_KEY", "DEBUG", "DJANGO_SETTINGS_MODULE",
                        "DJANGO_ALLOW_ASYNC_UNSAFE")}
    result = subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr


def test_manage_py_with_debug_off_still_needs_the_secret_key():
    env = {k: v for k, v in os.environ.items()
           if k not in ("SECRET_KEY", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE")}
    result = subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT,
                            env={**env, "DEBUG": "0"}, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr


def test_log_in_failures_are_rate_limited_when_limits_are_on(client, settings, db):
    from tests.factories import UserFactory

    settings.ACCOUNT_RATE_LIMITS = {"login_failed": "3/m/ip"}
    user = UserFactory()
    pages = [client.post("/en/accounts/login/", {"login": user.email, "password": "wrong"})
             for _ in range(5)]
    assert all(page.status_code == 400 for page in pages)
    assert ["Too many failed login attempts" in page.content.decode() for page in pages] == [
        False, False, False, True, True]


def test_rate_limits_can_be_switched_off_by_the_environment():
    code = ("from django.conf import settings; "
            "print(settings.RATE_LIMITS, getattr(settings, 'ACCOUNT_RATE_LIMITS', 'defaults'))")
    for value, expected in (("0", "False False"), ("1", "True defaults")):
        result = manage("shell", "-c", code, env={**PRODUCTION_ENV, "RATE_LIMITS": value})
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip().splitlines()[-1] == expected
