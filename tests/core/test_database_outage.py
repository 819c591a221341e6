"""PostgreSQL restarted under a running site: a 503 page while it is down, recovery after.

The test starts a PostgreSQL cluster of its own (initdb and pg_ctl in a temporary
directory, on a free port; never the shared server), migrates a database there and serves
the site with gunicorn (one worker, persistent connections as in production). Then it stops
PostgreSQL, checks a page and a form, starts PostgreSQL again and checks that the same
worker answers, and takes the refused form's "send again", without restarting anything.
PostgreSQL refuses to run as root, so as root (CI) it runs as the ``postgres`` user.
"""

import glob
import os
import pwd
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager
from http.cookiejar import CookieJar
from pathlib import Path

import psycopg

from tests.support import READY_TIMEOUT, ROOT, closed_port, hidden_fields, require

BIN = Path(sys.executable).parent


def postgres_binaries() -> Path | None:
    """The directory of initdb and pg_ctl: on the PATH, else Debian's newest."""
    found = shutil.which("initdb")
    candidates = [Path(found).resolve().parent] if found else []
    candidates += [Path(p).parent for p in sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                                                  key=lambda p: int(p.split("/")[4]))[::-1]]
    return next((c for c in candidates if (c / "pg_ctl").exists()), None)


class PrivatePostgres:
    """A throw-away PostgreSQL cluster in ``directory`` on ``port``."""

    def __init__(self, binaries: Path, directory: Path, port: int):
        self.binaries, self.directory, self.port = binaries, directory, port
        self.data = directory / "data"
        # PostgreSQL will not run as root: there, run it as the postgres user.
        self.as_owner = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []

    def run(self, program: str, *args: str) -> None:
        subprocess.run([*self.as_owner, str(self.binaries / program), *args], check=True,
                       capture_output=True, text=True, timeout=READY_TIMEOUT)

    def init(self) -> None:
        if self.as_owner:
            owner = pwd.getpwnam("postgres")
            os.chown(self.directory, owner.pw_uid, owner.pw_gid)
        self.run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust",
                 "--encoding=UTF8", "--no-sync")

    def start(self) -> None:
        # Its socket in its own directory; durability is not what this test is about.
        options = (f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 "
                   "-c fsync=off -c synchronous_commit=off -c full_page_writes=off")
        self.run("pg_ctl", "-D", str(self.data), "-l", str(self.directory / "postgres.log"),
                 "-o", options, "-w", "start")

    def stop(self, mode: str = "fast") -> None:
        self.run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")

    def url(self, database: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        with psycopg.connect(self.url("postgres"), autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)


@contextmanager
def private_postgres():
    binaries = postgres_binaries()
    require(binaries, "PostgreSQL's initdb and pg_ctl are not installed")
    require(os.geteuid() != 0 or _has_user("postgres"), "as root, needs the postgres user")
    directory = Path(tempfile.mkdtemp(prefix="vie-outage-pg-"))
    cluster = PrivatePostgres(binaries, directory, closed_port())
    try:
        cluster.init()
        cluster.start()
        yield cluster
    finally:
        try:
            cluster.stop("immediate")
        except subprocess.CalledProcessError:
            pass  # not running
        shutil.rmtree(directory, ignore_errors=True)


def _has_user(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


def site_environment(database_url: str) -> dict[str, str]:
    """The test settings (DEBUG off) against the private database, no Redis, and
    persistent connections as in production, so that recovery is what production does."""
    environment = {k: v for k, v in os.environ.items() if k not in {"TEST_EMAIL_URL"}}
    environment.update({"DJANGO_SETTINGS_MODULE": "config.settings.test",
                        "DATABASE_URL": database_url, "REDIS_URL": "", "CONN_MAX_AGE": "60",
                        "PYTHONUNBUFFERED": "1"})
    return environment


@contextmanager
def gunicorn(environment: dict[str, str], log: Path):
    """Start gunicorn (one worker); yield its address and a function that waits until it
    answers healthy, so that it can boot while the database is being migrated."""
    port = closed_port()
    with log.open("w") as output:
        server = subprocess.Popen(
            [str(BIN / "gunicorn"), "config.wsgi:application", "--bind", f"127.0.0.1:{port}",
             "--workers", "1"], cwd=ROOT, env=environment, stdout=output,
            stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"

    def wait_until_healthy():
        deadline = time.monotonic() + READY_TIMEOUT  # only bounds a hang
        while fetch(base + "/healthz").status != 200:
            assert server.poll() is None, log.read_text()
            assert time.monotonic() < deadline, "gunicorn did not answer:\n" + log.read_text()
            time.sleep(0.2)

    try:
        yield base, wait_until_healthy
    finally:
        server.terminate()
        server.wait(timeout=30)


class Answer:
    def __init__(self, status: int, headers, body: bytes, url: str):
        self.status, self.headers, self.url = status, headers, url
        self.text = body.decode("utf-8", "replace")


def fetch(url: str, data: list[tuple[str, str]] | None = None, opener=None) -> Answer:
    """GET (or POST ``data``) and return the answer, an error status included."""
    opener = opener or urllib.request.build_opener()
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    try:
        with opener.open(url, data=body, timeout=60) as response:  # noqa: S310 - loopback
            return Answer(response.status, response.headers, response.read(), response.url)
    except urllib.error.HTTPError as error:
        return Answer(error.code, error.headers, error.read(), url)
    except OSError:  # not listening yet
        return Answer(0, {}, b"", url)


def test_with_postgres_down_people_get_a_503_page_and_the_site_recovers_by_itself(tmp_path):
    with private_postgres() as cluster:
        environment = site_environment(cluster.create_database("vie"))
        with gunicorn(environment, tmp_path / "gunicorn.log") as (base, wait_until_healthy):
            subprocess.run([str(BIN / "python"), "manage.py", "migrate", "--noinput",
                            "--skip-checks"], cwd=ROOT, env=environment, check=True,
                           capture_output=True, timeout=READY_TIMEOUT)
            wait_until_healthy()
            browser = urllib.request.build_opener(
                urllib.request.HTTPCookieProcessor(CookieJar()))
            assert fetch(base + "/de/fallstudien/", opener=browser).status == 200
            form = fetch(base + "/de/accounts/password/reset/", opener=browser)
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text).group(1)

            cluster.stop()
            page = fetch(base + "/de/fallstudien/", opener=browser)
            assert page.status == 503
            assert page.headers["Retry-After"] == "30"
            assert "Die Website ist gerade nicht erreichbar" in page.text
            assert "The site is unavailable" in fetch(base + "/en/fallstudien/").text
            typed = [("csrfmiddlewaretoken", token), ("email", "vergessen@example.org")]
            refused = fetch(base + "/de/accounts/password/reset/", typed, opener=browser)
            assert refused.status == 503
            assert "vergessen@example.org</textarea>" in refused.text, "to copy"
            assert hidden_fields(refused.text) == typed, "to send again as it was"
            assert 'action="/de/accounts/password/reset/"' in refused.text

            cluster.start()
            assert fetch(base + "/de/fallstudien/", opener=browser).status == 200
            again = fetch(base + "/de/accounts/password/reset/", hidden_fields(refused.text),
                          opener=browser)
            assert (again.status, again.url) == (200, base + "/de/accounts/password/reset/done/")
        # The one worker saw the outage through and recovered: it was never booted again.
        assert (tmp_path / "gunicorn.log").read_text().count("Booting worker") == 1
