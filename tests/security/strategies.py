"""Hypothesis strategies for hostile form posts.

A post is built from a form's real field names: each field keeps a good value, gets a
hostile one (random, huge, unicode, control characters, NUL bytes, HTML, numbers and dates
in the wrong format, a list where one value is expected) or is left out; tampered hidden
fields and unknown extra fields are mixed in.
"""

from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import strategies as st

NASTY = [
    "", " ", "\x00", "a\x00b", "\r\n", "\t\x0b\x0c", "\x1b[31m", "\u202egnp.exe", "\u200b",
    "\ufeff", "😀👩‍👩‍👧‍👦", "مرحبا بالعالم", "שלום", "Ünïcödé ß", "ﷺ", "Z̤͔ͧ̑̓ä͖̭̈̇lͮ̒ͫǧ̗͚̚o̙̔ͮ̇͐̇",
    "<script>alert(1)</script>", "\"><img src=x onerror=alert(1)>", "javascript:alert(1)",
    "{{ 7*7 }}", "{% debug %}", "%(name)s", "%s%s%s%n", "' OR '1'='1' --", "; DROP TABLE x;",
    "../../../../etc/passwd", "%00", "\\", "null", "None", "undefined", "true", "[]", "{}",
    "0", "-1", "-0", "1.5", "1e309", "NaN", "inf", "-inf", "0x1F", "9" * 40, "-" + "9" * 40,
    "2024-02-30", "2024-13-01T10:00", "30.02.2024 25:61", "2024-10-09T10:00:00+99:00",
    "0000-00-00T00:00", "9999-12-31T23:59", "1900-01-01T00:00", "10/09/2024", "yesterday",
    "１２３", "٣", "Ⅻ",
]

control = st.text(st.characters(categories=["Cc"]), min_size=1, max_size=20)
huge = st.builds(lambda piece, n: (piece * n)[:n],
                 st.sampled_from(["a", "ä", "😀", "\u202e", "<b>", "\x00", "x \n", "ﷺ"]),
                 st.sampled_from([100_000, 65_536, 5_001, 20_001]))
numbers = st.one_of(st.integers().map(str), st.floats(allow_nan=True).map(str),
                    st.integers(min_value=-(2 ** 70), max_value=2 ** 70).map(str))
dates = st.one_of(
    st.datetimes().map(lambda d: d.strftime("%d.%m.%Y %H:%M")),
    st.datetimes().map(lambda d: d.isoformat()),
    st.dates().map(lambda d: d.strftime("%m/%d/%Y")),
    st.datetimes().map(str),
)

#: One hostile value where the form expects a single one.
hostile = st.one_of(st.text(max_size=300), st.sampled_from(NASTY), control, huge, numbers,
                    dates)


def value(good: st.SearchStrategy) -> st.SearchStrategy:
    """The good value, a hostile one, or a list of them where one value is expected."""
    return st.one_of(good, hostile, st.lists(st.one_of(good, hostile), min_size=2, max_size=4))


field_names = st.one_of(st.text(min_size=1, max_size=40), st.sampled_from([
    "csrfmiddlewaretoken", "id", "pk", "user", "user_id", "status", "version", "is_staff",
    "is_superuser", "created_by", "tandem", "city", "reference", "published_version",
    "__proto__", "a" * 300, "items-0-text", "form-TOTAL_FORMS", "next"]))


@st.composite
def posts(draw, good: dict, hidden: dict | None = None, max_extra: int = 6) -> dict:
    """A post for a form with the fields ``good`` (name -> strategy of a good value),
    hidden fields ``hidden`` (name -> strategy of tampered values), and unknown extras."""
    data = {}
    for name, strategy in good.items():
        how = draw(st.sampled_from(["good", "good", "good", "hostile", "missing"]))
        if how == "good":
            data[name] = draw(strategy)
        elif how == "hostile":
            data[name] = draw(value(strategy))
    for name, strategy in (hidden or {}).items():
        if draw(st.booleans()):
            data[name] = draw(strategy)
    if max_extra and draw(st.booleans()):
        extra = draw(st.dictionaries(field_names, value(st.just("1")), max_size=max_extra))
        for name, extra_value in extra.items():
            data.setdefault(name, extra_value)
    return data


def ints(*good) -> st.SearchStrategy:
    """Tampered integers for a hidden field: the good ones, neighbours, extremes, junk."""
    near = [str(n + d) for n in good for d in (-1, 1, 1000)]
    return st.one_of(st.sampled_from([str(n) for n in good] + near + [
        "0", "-1", "-2147483649", "2147483648", "9223372036854775808", "100000", "", " ", "1.0",
        "abc", "١", "1e3", "0x10"]), st.integers().map(str))


PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
       b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")

file_names = st.one_of(
    st.sampled_from(["agenda.pdf", "a.pdf.exe", "..%2F..%2Fx.pdf", "ä😀.pdf", ".pdf", "x" * 300
                     + ".pdf", "con.pdf", "a b.docx", "evil.html", "noextension", "x.PDF",
                     "\u202efdp.exe", "a;b.pdf", "%00.pdf"]),
    st.text(st.characters(blacklist_categories=["Cs", "Cc"], blacklist_characters='"\\/'),
            min_size=1, max_size=60))
file_contents = st.one_of(st.just(PDF), st.binary(max_size=4000), st.just(b""),
                          st.just(b"<html><script>alert(1)</script></html>"),
                          st.just(b"PK\x03\x04" + b"\x00" * 100), st.just(PDF + b"\x00" * 50_000))
uploads = st.builds(lambda name, content: SimpleUploadedFile(name, content),
                    file_names, file_contents)
