"""docker-compose.yml and the Dockerfile, checked against the project without a Docker engine.

The file is parsed with PyYAML; each service's command is checked against what the
project provides (the WSGI module, the Celery app), each variable against what the
settings read, and in CI a real Celery worker is started against the local Redis.
"""

import ast
import importlib
import importlib.metadata
import json
import os
import re
import shlex
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import yaml
from django.conf import settings

from tests.support import celery_worker, redis_url, require

ROOT = Path(__file__).resolve().parent.parent
COMPOSE_FILE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
SETTINGS_DIR = ROOT / "config" / "settings"
CELERY = ROOT / ".venv" / "bin" / "celery"

SERVICES = {"postgres", "redis", "web", "worker", "beat", "mailpit"}
APP_SERVICES = ("web", "worker", "beat")
# Read by Django/Celery themselves rather than by config/settings.
FRAMEWORK_VARIABLES = {"DJANGO_SETTINGS_MODULE"}
# What a deployer would put in .env for the ${...} references in the file.
DEPLOY_ENV = {"SECRET_KEY": "compose-test-secret-key-0123456789abcdefghijklmnopqrstuv"}

_VARIABLE = re.compile(
    r"\$(?:\$|\{(?P<braced>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}"
    r"|(?P<plain>[A-Za-z_][A-Za-z0-9_]*))"
)


def interpolate(value: str, env: dict[str, str]) -> str:
    """Compose's variable substitution: $$, $VAR, ${VAR}, ${VAR:-default}, ${VAR:?error}."""

    def replace(match):
        if match.group(0) == "$$":
            return "$"
        name = match.group("braced") or match.group("plain")
        op, arg = match.group("op"), match.group("arg") or ""
        current = env.get(name)
        unset = current is None or (op is not None and op.startswith(":") and current == "")
        if op in (":-", "-") and unset:
            return arg
        if op in (":?", "?") and unset:
            raise AssertionError(f"docker compose would stop: ${{{name}}}: {arg}")
        return current or ""

    return _VARIABLE.sub(replace, value)


@pytest.fixture(scope="module")
def compose() -> dict:
    assert COMPOSE_FILE.exists(), "docker-compose.yml is missing"
    return yaml.safe_load(COMPOSE_FILE.read_text())


def service_environment(service: dict, env: dict[str, str] | None = None) -> dict[str, str]:
    environment = service.get("environment") or {}
    if isinstance(environment, list):
        environment = dict(item.split("=", 1) for item in environment)
    env = DEPLOY_ENV if env is None else env
    return {name: interpolate(str(value), env) for name, value in environment.items()}


def command_steps(service: dict) -> list[list[str]]:
    """The service's command as argument lists, one per `&&`-joined step of a shell script."""
    command = service.get("command")
    assert command, "service has no command"
    args = shlex.split(command) if isinstance(command, str) else [str(a) for a in command]
    if args[:2] in (["sh", "-c"], ["bash", "-c"], ["/bin/sh", "-c"]):
        steps = []
        for step in re.split(r"&&|;", args[2]):
            words = shlex.split(step)
            if words and words[0] == "exec":
                words = words[1:]
            if words:
                steps.append(words)
        return steps
    return [args]


def option_value(args: list[str], *names: str) -> str | None:
    for index, arg in enumerate(args):
        for name in names:
            if arg == name and index + 1 < len(args):
                return args[index + 1]
            if name.startswith("--") and arg.startswith(name + "="):
                return arg.split("=", 1)[1]
    return None


def settings_variables() -> set[str]:
    """Every environment variable name config/settings/*.py reads (env(...), os.environ)."""
    names = set()
    for path in SETTINGS_DIR.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if not (isinstance(node, ast.Call) and node.args):
                continue
            first = node.args[0]
            if not (isinstance(first, ast.Constant) and isinstance(first.value, str)):
                continue
            func = node.func
            source = ast.unparse(func)
            if source == "env" or source.startswith("env."):
                names.add(first.value)
            elif source in ("os.environ.get", "os.environ.setdefault", "os.getenv"):
                names.add(first.value)
    return names


def test_all_services_are_defined(compose):
    services = compose["services"]
    assert SERVICES <= set(services), f"missing services: {SERVICES - set(services)}"
    assert services["postgres"]["image"].startswith("postgres:15")
    assert services["redis"]["image"].startswith("redis:7")
    assert services["mailpit"]["image"].startswith("axllent/mailpit")
    for name in APP_SERVICES:
        build = services[name].get("build")
        context = build if isinstance(build, str) else (build or {}).get("context")
        assert context == ".", f"{name} is not built from this repository"
        assert DOCKERFILE.exists()


def test_app_services_point_at_the_other_services(compose):
    services = compose["services"]
    for name in APP_SERVICES:
        env = service_environment(services[name])
        assert env["DEBUG"] in ("0", "false", "False", "off")
        assert env["SECRET_KEY"] == DEPLOY_ENV["SECRET_KEY"], "SECRET_KEY must come from outside"
        assert env["ALLOWED_HOSTS"]
        assert env["DATABASE_URL"].startswith("postgres://")
        assert "@postgres:5432/" in env["DATABASE_URL"]
        assert env["REDIS_URL"].startswith("redis://redis:6379")
        assert env["EMAIL_URL"] == "smtp://mailpit:1025"
        depends_on = services[name].get("depends_on") or {}
        assert {"postgres", "redis"} <= set(depends_on), f"{name} must wait for its services"

    postgres = services["postgres"]["environment"]
    database_url = service_environment(services["web"])["DATABASE_URL"]
    expected = (
        f"postgres://{postgres['POSTGRES_USER']}:{postgres['POSTGRES_PASSWORD']}"
        f"@postgres:5432/{postgres['POSTGRES_DB']}"
    )
    assert database_url == expected


def test_compose_fails_without_a_secret_key(compose):
    with pytest.raises(AssertionError, match="SECRET_KEY"):
        service_environment(compose["services"]["web"], env={})


def test_every_variable_is_read_by_the_settings(compose):
    known = settings_variables() | FRAMEWORK_VARIABLES
    assert {"SECRET_KEY", "DEBUG", "DATABASE_URL", "REDIS_URL", "EMAIL_URL"} <= known
    for name in APP_SERVICES:
        unknown = set(compose["services"][name].get("environment") or {}) - known
        assert not unknown, f"{name} sets variables the settings never read: {sorted(unknown)}"


def test_web_migrates_then_serves_the_wsgi_module_with_gunicorn(compose):
    web = compose["services"]["web"]
    steps = command_steps(web)
    programs = [" ".join(step[:3]) for step in steps]
    assert any("manage.py migrate" in p for p in programs), f"web never migrates: {programs}"
    gunicorn_steps = [i for i, step in enumerate(steps) if step[0] == "gunicorn"]
    assert gunicorn_steps, f"web does not run gunicorn: {programs}"
    migrate_step = next(i for i, p in enumerate(programs) if "manage.py migrate" in p)
    assert migrate_step < gunicorn_steps[0], "migrate must run before gunicorn starts"

    gunicorn = steps[gunicorn_steps[0]]
    target = next(arg for arg in gunicorn[1:] if ":" in arg and not arg.startswith("-")
                  and "." in arg.split(":")[0])
    module_name, attribute = target.split(":")
    assert module_name == settings.WSGI_APPLICATION.rsplit(".", 1)[0]
    module = importlib.import_module(module_name)
    application = getattr(module, attribute)
    assert callable(application)
    assert importlib.metadata.version("gunicorn")

    bind = option_value(gunicorn, "--bind", "-b")
    assert bind and bind.startswith("0.0.0.0:"), "gunicorn must listen outside the container"
    port = bind.rsplit(":", 1)[1]
    published = [str(p).rsplit(":", 1)[-1] for p in web.get("ports", [])]
    assert port in published, f"gunicorn port {port} is not published ({published})"


@pytest.mark.parametrize("name, subcommand", [("worker", "worker"), ("beat", "beat")])
def test_celery_services_run_the_project_app(compose, name, subcommand, monkeypatch):
    [args] = command_steps(compose["services"][name])
    assert args[0] == "celery", f"{name} does not run celery: {args}"
    assert option_value(args, "-A", "--app") == "config"
    assert subcommand in args

    from celery import Celery
    from celery.app.utils import find_app

    from config.celery import app

    assert isinstance(app, Celery)
    assert find_app("config") is app, "`celery -A config` would not find config.celery.app"
    assert app.conf.broker_url == settings.CELERY_BROKER_URL, "not configured from settings"
    assert app.conf.timezone == settings.CELERY_TIMEZONE

    discovered = []
    original = app.loader.autodiscover_tasks

    def record(packages, related_name="tasks"):
        discovered.extend(packages)
        return original(packages, related_name)

    monkeypatch.setattr(app.loader, "autodiscover_tasks", record)
    app.loader.import_default_modules()
    project_apps = {"accounts", "core", "programme", "applications"}
    assert project_apps <= set(discovered), "tasks are not autodiscovered from the project apps"
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert entry["task"] in app.tasks, f"beat schedules an unknown task {entry['task']}"


@pytest.mark.parametrize("name", APP_SERVICES)
def test_production_settings_load_with_the_compose_environment(compose, name):
    """Import the WSGI module and the Celery app as the container would, with DEBUG=0."""
    env = {k: v for k, v in os.environ.items()
           if k not in {"DJANGO_SETTINGS_MODULE", "CI", "REDIS_URL", "DATABASE_URL"}}
    env.update(service_environment(compose["services"][name]))
    probe = (
        "import json\n"
        "from config.wsgi import application\n"
        "from config.celery import app\n"
        "from django.conf import settings\n"
        "db = settings.DATABASES['default']\n"
        "print(json.dumps({'debug': settings.DEBUG, 'engine': db['ENGINE'],"
        " 'db_host': db['HOST'], 'broker': app.conf.broker_url,"
        " 'email_host': settings.EMAIL_HOST, 'email_port': settings.EMAIL_PORT,"
        " 'eager': settings.CELERY_TASK_ALWAYS_EAGER}))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=120,  # only bounds a hang
    )
    assert result.returncode == 0, result.stderr
    loaded = json.loads(result.stdout.strip().splitlines()[-1])
    assert loaded == {
        "debug": False,
        "engine": "django.db.backends.postgresql",
        "db_host": "postgres",
        "broker": "redis://redis:6379/0",
        "email_host": "mailpit",
        "email_port": 1025,
        "eager": False,
    }


def test_dockerfile_builds_what_compose_runs():
    text = DOCKERFILE.read_text()
    assert re.search(r"^FROM python:3\.11-slim-bookworm\b", text, re.M)
    for package in ("libpango-1.0-0", "libpangoft2-1.0-0", "fonts-dejavu-core"):
        assert package in text, f"the image lacks {package}"
    assert "--build-constraint build-constraints.txt" in text
    assert "collectstatic --noinput" in text
    users = re.findall(r"^USER\s+(\S+)", text, re.M)
    assert users and users[-1] not in ("root", "0"), "the image must not run as root"


def test_celery_worker_starts_against_redis_and_reports_ready():
    broker = redis_url()
    require(broker, "REDIS_URL is not set: no Redis to start a Celery worker against")
    assert CELERY.exists(), f"{CELERY} is missing"
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE"}}
    env.update({"REDIS_URL": broker, "DEBUG": "1", "PYTHONUNBUFFERED": "1"})
    probe = f"compose-probe-{uuid.uuid4().hex[:8]}"
    with celery_worker([str(CELERY), "-A", "config"], probe, env) as log:
        assert "ready." in log()
