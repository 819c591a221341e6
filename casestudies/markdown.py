"""Markdown of the case-study sections to safe HTML.

Authors write Markdown; whatever HTML or script they put in it, the page gets only the
tags below, links only to http(s) and mail addresses. Rendering is cached by the text's
hash, so a page shows a long study without parsing it again.
"""

import hashlib

import markdown as markdown_lib
import nh3
from django.core.cache import cache
from django.utils.safestring import SafeString, mark_safe

TAGS = {"p", "br", "hr", "h3", "h4", "h5", "h6", "strong", "em", "code", "pre", "blockquote",
        "ul", "ol", "li", "a", "table", "thead", "tbody", "tr", "th", "td", "sup", "sub"}
ATTRIBUTES = {"a": {"href", "title"}, "th": {"scope"}, "ol": {"start"}}
URL_SCHEMES = {"http", "https", "mailto"}
# A section sits under the page's own h2, so its headings start one level lower.
HEADINGS_DOWN = str.maketrans({"1": "3", "2": "4", "3": "5", "4": "6"})
CACHE_SECONDS = 24 * 60 * 60


def render_markdown(text: str) -> SafeString:
    """Return ``text`` as sanitised HTML, safe to put in a page."""
    if not text.strip():
        return mark_safe("")
    key = "md:" + hashlib.sha256(text.encode()).hexdigest()
    html = cache.get(key)
    if html is None:
        raw = markdown_lib.markdown(text, extensions=["sane_lists", "tables"],
                                    output_format="html")
        raw = _shift_headings(raw)
        html = nh3.clean(raw, tags=TAGS, attributes=ATTRIBUTES, url_schemes=URL_SCHEMES,
                         link_rel="noopener noreferrer nofollow")
        cache.set(key, html, CACHE_SECONDS)
    return mark_safe(html)  # noqa: S308 - nh3 has sanitised it


def _shift_headings(html: str) -> str:
    for level in ("6", "5", "4", "3", "2", "1"):
        lower = level.translate(HEADINGS_DOWN)
        html = html.replace(f"<h{level}>", f"<h{lower}>").replace(f"</h{level}>",
                                                                   f"</h{lower}>")
    return html
