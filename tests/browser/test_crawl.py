"""Crawl: each role follows every internal link from the start page.

For every role (anonymous, municipal contact, partner-city contact, researcher, staff with
two factors) a breadth-first crawl starts at the role's start page (``/de/``; ``/en/`` for
the English-speaking partner contact) and visits the other language's start page once.
Every HTML page reached must answer below 400 (a 403 behind a link is a bug too), have a
non-empty ``<title>``, exactly one ``<h1>``, no duplicate ``id``, parse as valid HTML, and
pass axe-core (WCAG 2.1 A/AA, no serious or critical violation; axe runs once per URL
pattern, numeric ids folded). Files (PDF, ICS, CSV, XLSX, JSON, ``?format=`` exports) get
a status and content-type check only. No request may leave the live server's host, no
stylesheet, script or image of a page may fail, and the Content-Security-Policy (without
unsafe-inline) must not report a violation (reports caused by axe itself are dropped).
All problems are collected and asserted once per role, with URL, role and problem.

Not followed: other hosts, ``mailto:`` and the like, links that lead to a data-changing
confirmation (logout, delete, withdraw, restore, unregister, 2FA deactivate/regenerate),
the admin for non-staff; for staff the admin index, app indexes, changelists and other
non-numeric admin views are followed (no add forms, no query strings), capped at
``ADMIN_CAP`` pages. The crawl stops at ``PAGE_CAP`` pages per role and says so.
Set ``CRAWL_VERBOSE=1`` to list every page and file visited.
"""

import os
import re
import time
from collections import deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit, urlunsplit

import pytest

from tests.browser.conftest import run_axe
from tests.browser.support import DEMO_PASSWORD
from tests.browser.test_selection import SECRET, current_code

pytestmark = pytest.mark.browser

PAGE_CAP = 150
ADMIN_CAP = 40

# Path fragments of links that lead towards a data-changing step (even if the GET itself
# only shows a confirmation): not followed.
DATA_CHANGING = re.compile(
    r"/logout/|/delete/|/loeschen/|/renew|/restore/|/zurueckziehen/|/unregister/"
    r"|/deactivate/|/regenerate/|/generate/|/reauthenticate/"
)
# Links that are files, not pages: fetched with a plain request, status and type checked.
FILE_PATH = re.compile(r"(\.pdf|\.ics|\.csv|\.xlsx|\.json|/pdf/|/data/|/documents/\d+/)$")
FILE_TYPES = ("application/", "text/calendar", "text/csv")
ADMIN_PATH = re.compile(r"/admin/(?:[A-Za-z_-]+/){0,3}")
NUMBER = re.compile(r"(?<=/)\d+(?=/|$|\.)")

# Serious/critical axe findings that are real but cannot be fixed from this test
# (URL pattern, axe rule) -> why. They are printed in the summary, not failed on; an entry
# that no longer occurs is printed too, so that it gets removed.
KNOWN_AXE: dict[tuple[str, str], str] = {}  # (URL pattern, axe rule) -> why it is known


@dataclass(frozen=True)
class Role:
    name: str
    email: str | None = None
    language: str = "de"
    totp: bool = False
    staff: bool = False


ROLES = [
    Role("anonymous"),
    Role("municipal contact (Krefeld)", "krefeld@example.org"),
    # core/demo.py: the partner-city contact speaks for Utrecht, in English.
    Role("partner-city contact (Utrecht)", "utrecht@example.org", language="en"),
    Role("researcher", "researcher@example.org"),
    Role("staff", "staff@example.org", totp=True, staff=True),
]


@dataclass
class Crawl:
    role: Role
    origin: str
    problems: list[str] = field(default_factory=list)
    pages: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    axe_patterns: set[str] = field(default_factory=set)
    axe_violations: int = 0
    foreign_requests: list[str] = field(default_factory=list)
    left_unvisited: int = 0
    admin_queued: int = 0
    admin_capped: bool = False
    in_axe: bool = False
    known_seen: set[tuple[str, str]] = field(default_factory=set)

    def problem(self, url: str, text: str, source: str | None = None) -> None:
        via = f" (linked from {source})" if source else ""
        self.problems.append(f"[{self.role.name}] {url}{via}: {text}")


# --- HTML validity -------------------------------------------------------------------

try:
    import html5lib
    from html5lib.constants import E as HTML5LIB_MESSAGES
except ImportError:  # not in the test extras yet: fall back to a tag-balance check
    html5lib = None


def html_errors(markup: str) -> list[str]:
    """Parse errors in the page's source (html5lib if installed, else a tag-balance check)."""
    if html5lib is not None:
        # Collect every error instead of stopping at the first (strict=True): same verdict.
        parser = html5lib.HTMLParser(strict=False, namespaceHTMLElements=False)
        parser.parse(markup)
        errors = []
        for (line, column), code, data in parser.errors:
            message = HTML5LIB_MESSAGES.get(code, code)
            try:
                message = message % data
            except (TypeError, KeyError, ValueError):
                pass
            errors.append(f"line {line}:{column}: {message}")
        return errors
    checker = BalanceChecker()
    checker.feed(markup)
    checker.close()
    return checker.finish()


# Elements whose end tag is never optional.
BALANCED = {
    "a", "article", "aside", "button", "dd", "details", "div", "dl", "em", "fieldset",
    "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "label",
    "main", "nav", "ol", "script", "section", "select", "span", "strong", "style",
    "summary", "svg", "table", "textarea", "title", "ul",
}


class BalanceChecker(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, int]] = []
        self.errors: list[str] = []

    def handle_starttag(self, tag, attrs):
        names = [name for name, _ in attrs]
        for name in {n for n in names if names.count(n) > 1}:
            self.errors.append(f"line {self.getpos()[0]}: duplicate attribute {name!r} on <{tag}>")
        if tag in BALANCED:
            self.stack.append((tag, self.getpos()[0]))

    def handle_startendtag(self, tag, attrs):
        names = [name for name, _ in attrs]
        for name in {n for n in names if names.count(n) > 1}:
            self.errors.append(f"line {self.getpos()[0]}: duplicate attribute {name!r} on <{tag}>")

    def handle_endtag(self, tag):
        if tag not in BALANCED:
            return
        if not self.stack or self.stack[-1][0] != tag:
            open_tag = self.stack[-1] if self.stack else None
            self.errors.append(
                f"line {self.getpos()[0]}: </{tag}> does not close"
                + (f" <{open_tag[0]}> from line {open_tag[1]}" if open_tag else " anything")
            )
            # Recover: close up to the matching start tag, if there is one.
            for index in range(len(self.stack) - 1, -1, -1):
                if self.stack[index][0] == tag:
                    del self.stack[index:]
                    break
            return
        self.stack.pop()

    def finish(self) -> list[str]:
        self.errors += [f"line {line}: <{tag}> is never closed" for tag, line in self.stack]
        return self.errors


# --- the crawl -----------------------------------------------------------------------

PAGE_FACTS = """() => {
  const counts = {};
  for (const el of document.querySelectorAll('[id]')) counts[el.id] = (counts[el.id] || 0) + 1;
  return {
    title: document.title.trim(),
    h1: document.querySelectorAll('h1').length,
    duplicateIds: Object.keys(counts).filter(id => counts[id] > 1),
    links: Array.from(document.querySelectorAll('a[href]'), a => {
      try { return new URL(a.getAttribute('href'), document.baseURI).href; }
      catch (e) { return null; }
    }).filter(Boolean),
  };
}"""


def log_in(page, role: Role) -> None:
    if role.totp:
        from allauth.mfa.totp.internal.auth import TOTP

        from accounts.models import User

        TOTP.activate(User.objects.get(email=role.email), SECRET)
    page.goto("/de/accounts/login/")
    page.locator("input[name='login']").fill(role.email)
    page.locator("input[name='password']").fill(DEMO_PASSWORD)
    page.locator("main .btn-primary").click()
    if role.totp:
        page.locator("input[name='code']").fill(current_code())
        page.locator("main form:has(input[name='code']) .btn-primary").click()
    page.wait_for_url(re.compile(r"/(de|en)/$"))


def normalise(url: str) -> str:
    """Drop the fragment and an empty query ("page/?" is "page/")."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", parts.query, ""))


def is_file(url: str) -> bool:
    parts = urlsplit(url)
    return bool(FILE_PATH.search(parts.path)) or "format" in parse_qs(parts.query)


def axe_pattern(url: str) -> str:
    parts = urlsplit(url)
    return NUMBER.sub("<id>", parts.path) + ("?…" if parts.query else "")


def wanted(crawl: Crawl, url: str) -> bool:
    """Is this (normalised, same-origin) link one the crawl follows?"""
    parts = urlsplit(url)
    path = parts.path
    if DATA_CHANGING.search(path):
        return False
    if path.startswith("/admin/"):
        if not crawl.role.staff or parts.query or path.endswith("/add/"):
            return False
        if not ADMIN_PATH.fullmatch(path):
            return False
        if crawl.admin_queued >= ADMIN_CAP:
            crawl.admin_capped = True
            return False
        crawl.admin_queued += 1
        return True
    if path.startswith("/calendar/"):
        return True
    # Stay in the role's language; the other language's start page is visited once.
    return path.startswith(f"/{crawl.role.language}/")


def check_file(page, crawl: Crawl, url: str, source: str | None) -> None:
    response = page.request.get(url)
    crawl.files.append(url)
    content_type = response.headers.get("content-type", "")
    if response.status >= 400:
        crawl.problem(url, f"file answers HTTP {response.status}", source)
    elif not content_type.startswith(FILE_TYPES):
        crawl.problem(url, f"file has content type {content_type!r}", source)
    response.dispose()


def check_page(page, crawl: Crawl, url: str, source: str | None) -> list[str]:
    """Visit one page, record its problems and return the links on it."""
    try:
        response = page.goto(url)
    except Exception as error:  # a link the browser turns into a download
        if "Download is starting" in str(error):
            check_file(page, crawl, url, source)
            return []
        crawl.problem(url, f"could not load: {str(error).splitlines()[0]}", source)
        return []
    crawl.pages.append(url)
    if response is None:
        crawl.problem(url, "no response", source)
        return []
    if response.status >= 400:
        crawl.problem(url, f"HTTP {response.status}", source)
        return []
    final = normalise(page.url)
    if not final.startswith(crawl.origin + "/"):
        crawl.problem(url, f"redirects to another host: {final}", source)
        return []
    content_type = response.headers.get("content-type", "")
    if not content_type.startswith("text/html"):
        crawl.problem(url, f"page link answers {content_type!r}, not HTML", source)
        return []
    facts = page.evaluate(PAGE_FACTS)
    where = url if final == url else f"{url} -> {final}"
    if not facts["title"]:
        crawl.problem(where, "empty <title>", source)
    if facts["h1"] != 1:
        crawl.problem(where, f"{facts['h1']} <h1> elements, expected exactly one", source)
    if facts["duplicateIds"]:
        crawl.problem(where, f"duplicate id(s): {', '.join(facts['duplicateIds'])}", source)
    errors = html_errors(response.text())
    if errors:
        shown = "; ".join(errors[:5]) + (f"; … {len(errors) - 5} more" if len(errors) > 5 else "")
        crawl.problem(where, f"invalid HTML: {shown}", source)
    pattern = axe_pattern(final)
    if pattern not in crawl.axe_patterns:
        crawl.axe_patterns.add(pattern)
        axe(page, crawl, pattern, where, source)
    return facts["links"]


def axe(page, crawl: Crawl, pattern: str, where: str, source: str | None) -> None:
    """Run axe; what axe itself causes is not held against the page.

    axe-core's CSSOM preload re-fetches a stylesheet's ``@import`` relative to the page
    (a 404 such as /admin/password_change/widgets.css) and builds inline <style> elements,
    which the CSP rightly blocks. Those reports arrive while axe runs and are dropped.
    """
    page.evaluate("0")  # console messages of the page load have arrived before this answer
    reported = len(page.csp_violations)
    crawl.in_axe = True
    try:
        violations = run_axe(page)
        page.evaluate("0")
    finally:
        crawl.in_axe = False
    del page.csp_violations[reported:]
    for violation in violations:
        key = (pattern, violation["id"])
        if key in KNOWN_AXE:
            crawl.known_seen.add(key)
            continue
        crawl.axe_violations += 1
        targets = [" ".join(str(part) for part in node["target"]) for node in violation["nodes"]]
        more = f" and {len(targets) - 3} more" if len(targets) > 3 else ""
        crawl.problem(
            where,
            f"axe {violation['id']} ({violation['impact']}): {violation['help']}"
            f" <{violation.get('helpUrl', '')}> at {', '.join(targets[:3])}{more}",
            source,
        )


def crawl_as(page, crawl: Crawl) -> None:
    language = crawl.role.language
    other = "en" if language == "de" else "de"
    start = f"{crawl.origin}/{language}/"
    queue = deque([(start, None), (f"{crawl.origin}/{other}/", None)])
    seen = {url for url, _ in queue}
    while queue:
        if len(crawl.pages) >= PAGE_CAP:
            crawl.left_unvisited = len(queue)
            break
        url, source = queue.popleft()
        if is_file(url):
            check_file(page, crawl, url, source)
            continue
        links = check_page(page, crawl, url, source)
        final = normalise(page.url)
        seen.add(final)
        if urlsplit(final).path == f"/{other}/":
            continue  # the other language's start page: checked, not followed
        for link in links:
            link = normalise(link)
            if not link.startswith(crawl.origin + "/") or link in seen:
                continue
            seen.add(link)
            if wanted(crawl, link):
                queue.append((link, url))


@pytest.mark.parametrize("role", ROLES, ids=lambda role: role.name.split(" ")[0])
def test_crawl_every_internal_link(page, live_server, role, capsys):
    origin = live_server.url.rstrip("/")
    crawl = Crawl(role=role, origin=origin)
    host = urlsplit(origin).netloc

    def foreign(route):
        crawl.foreign_requests.append(f"{route.request.method} {route.request.url}")
        route.abort()

    page.context.route(
        lambda url: urlsplit(url).scheme in ("http", "https", "ws", "wss")
        and urlsplit(url).netloc != host,
        foreign,
    )

    def on_response(response):
        # A stylesheet, script, image or font of a page that fails (the page itself is
        # checked in check_page; Chromium's own /favicon.ico probe is not a link).
        request = response.request
        if response.status < 400 or crawl.in_axe or request.is_navigation_request():
            return
        if urlsplit(response.url).path == "/favicon.ico":
            return
        crawl.problem(response.url, f"{request.resource_type} answers HTTP {response.status}",
                      request.frame.url)

    page.on("response", on_response)
    started = time.monotonic()
    if role.email:
        log_in(page, role)
    crawl_as(page, crawl)
    elapsed = time.monotonic() - started

    for request in crawl.foreign_requests:
        crawl.problem(request, "request to another host")
    for violation in page.csp_violations:
        crawl.problems.append(f"[{role.name}] CSP violation: {violation}")

    cap = (f"; page cap {PAGE_CAP} reached, {crawl.left_unvisited} queued URL(s) not visited"
           if crawl.left_unvisited else f" (cap {PAGE_CAP} not reached)")
    if role.staff:
        cap += (f"; admin cap {ADMIN_CAP} {'reached' if crawl.admin_capped else 'not reached'}"
                f" ({crawl.admin_queued} admin page(s) queued)")
    known = [f"  known, not failed: {pattern} axe {rule}: {why}"
             for (pattern, rule), why in KNOWN_AXE.items() if (pattern, rule) in crawl.known_seen]
    if role.staff:
        known += [f"  known issue no longer seen, remove it from KNOWN_AXE: {pattern} {rule}"
                  for (pattern, rule) in KNOWN_AXE if (pattern, rule) not in crawl.known_seen]
    summary = (
        f"crawl as {role.name}: {len(crawl.pages)} page(s){cap}, {len(crawl.files)} file(s),"
        f" axe on {len(crawl.axe_patterns)} URL pattern(s), {crawl.axe_violations} serious/"
        f"critical axe violation(s), {len(crawl.problems)} problem(s), {elapsed:.1f}s,"
        f" HTML check: {'html5lib' if html5lib else 'tag balance (html5lib not installed)'}"
    )
    with capsys.disabled():
        print("\n" + "\n".join([summary, *known]))
        if os.environ.get("CRAWL_VERBOSE"):  # list what was visited
            print("\n".join(f"  page {url}" for url in crawl.pages))
            print("\n".join(f"  file {url}" for url in crawl.files))
    assert not crawl.problems, summary + "\n" + "\n".join(crawl.problems)
