"""Word-level differences between two versions' texts, for the comparison page."""

import re
from dataclasses import dataclass
from difflib import SequenceMatcher

TOKENS = re.compile(r"\s+|\w+|[^\w\s]", re.UNICODE)


@dataclass(frozen=True)
class Part:
    op: str  # "same", "removed" or "added"
    text: str


def diff_words(old: str, new: str) -> list[Part]:
    """``old`` -> ``new`` as runs of kept, removed and added words (whitespace kept)."""
    a, b = TOKENS.findall(old), TOKENS.findall(new)
    parts = []
    for op, i1, i2, j1, j2 in _merged(SequenceMatcher(None, a, b, autojunk=False)
                                      .get_opcodes(), a):
        if op == "equal":
            parts.append(Part("same", "".join(a[i1:i2])))
            continue
        if i2 > i1:
            parts.append(Part("removed", "".join(a[i1:i2])))
        if j2 > j1:
            parts.append(Part("added", "".join(b[j1:j2])))
    return parts


def _merged(opcodes, a):
    """Fold a kept run of only whitespace between two changes into the changes around it."""
    merged = []
    for opcode in opcodes:
        op, i1, i2, j1, j2 = opcode
        if merged and op != "equal" and merged[-1][0] == "equal" and len(merged) > 1 \
                and not "".join(a[merged[-1][1]:merged[-1][2]]).strip():
            merged.pop()
            _op, p1, _p2, q1, _q2 = merged.pop()
            merged.append(("replace", p1, i2, q1, j2))
        elif merged and op != "equal" and merged[-1][0] != "equal":
            _op, p1, _p2, q1, _q2 = merged.pop()
            merged.append(("replace", p1, i2, q1, j2))
        else:
            merged.append(opcode)
    return merged


def diff_lines(old: list[str], new: list[str]) -> list[Part]:
    """Two lists of lines (the coded items) as kept, removed and added lines."""
    parts = []
    for op, i1, i2, j1, j2 in SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if op == "equal":
            parts += [Part("same", line) for line in old[i1:i2]]
            continue
        parts += [Part("removed", line) for line in old[i1:i2]]
        parts += [Part("added", line) for line in new[j1:j2]]
    return parts
