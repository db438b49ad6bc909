"""Settings and input soups for the property tests of hostile input (files and pasted text).

Each target runs `FUZZ_EXAMPLES` examples: 10,000 in CI (where `CI` is set), a few hundred on a
developer's machine. `deadline=None` because a busy machine must not turn a slow example into a
failure; the cost of the whole run is bounded by the example count instead.
"""

from __future__ import annotations

import os

import yaml
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

FUZZ_EXAMPLES = 10_000 if os.environ.get("CI") else 200

fuzz = settings(
    max_examples=FUZZ_EXAMPLES,
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.filter_too_much,
        HealthCheck.function_scoped_fixture,  # one config folder, rewritten by each example
    ],
)

#: Longest message a refusal may have, beyond the file's path: never the whole of a value.
MAX_MESSAGE_CHARS = 700

# Characters that break parsers: controls, line and paragraph separators, a byte-order mark,
# a lone surrogate (what a mixed-encoding paste decodes to), right-to-left marks, wide ones.
NASTY_CHARACTERS = [
    "\x00",
    "\x01",
    "\x1b",
    "\x7f",
    "\x85",
    "\u2028",
    "\u2029",
    "\ufeff",
    "\ud800",
    "\udcff",
    "\u200b",
    "\u202e",
    "\U0001f600",
    "é",
    "Ā",
    "\r",
    "\t",
]

_YAML_PIECES = [
    "a",
    "realm_id",
    "lines",
    "kind",
    ": ",
    ":",
    "- ",
    "\n",
    "\n  ",
    "  ",
    "[",
    "]",
    "{",
    "}",
    ", ",
    "&x ",
    "*x",
    "&y [*x, *x]",
    "!!int ",
    "!!str ",
    "!!binary ",
    "!!set ",
    "!!timestamp ",
    "!!python/object:os.system ",
    "!local ",
    "? ",
    "---\n",
    "...\n",
    "%YAML 1.1\n",
    "'",
    '"',
    "# ",
    "|\n",
    ">\n",
    "9" * 45,
    "12345",
    "0x" + "f" * 50,
    "0o17",
    "1_000",
    "190:20:30",
    "1e999",
    ".inf",
    "-.nan",
    "2025-13-45",
    "2025-02-30T25:61:61Z",
    "2025-03-01",
    "<<: ",
    "null",
    "~",
    "true",
    "no",
    "=",
]


def yaml_soup() -> st.SearchStrategy[str]:
    """Text made of YAML's own syntax, values that trip constructors, and nasty characters."""
    piece = st.one_of(
        st.sampled_from(_YAML_PIECES), st.sampled_from(NASTY_CHARACTERS), st.text(max_size=4)
    )
    return st.lists(piece, max_size=40).map("".join)


_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=10**38, max_value=10**60),  # around the 40-digit limit
    st.floats(),
    st.text(max_size=20),
    st.sampled_from(["sandbox", "production", "done", "invoice", "bill", "12", "AB", ""]),
)
_KEYS = st.one_of(st.text(max_size=8), st.integers(), st.none())


def any_scalar() -> st.SearchStrategy[object]:
    """One value of any plain kind: null, true/false, numbers of any size, texts."""
    return _SCALARS


def any_value() -> st.SearchStrategy[object]:
    """Values of every shape YAML can hold, two levels deep: texts, numbers of any size, null,
    lists, maps with numbers or null as names, and lists of maps.

    Not recursive on purpose: recursive strategies cost several times more to draw, and no
    field of the wizard's files goes deeper than this below where the tests place it.
    """
    return st.one_of(
        _SCALARS,
        st.lists(_SCALARS, max_size=3),
        st.dictionaries(_KEYS, _SCALARS, max_size=3),
        st.dictionaries(_KEYS, st.lists(_SCALARS, max_size=2), max_size=2),
        st.lists(st.dictionaries(_KEYS, _SCALARS, max_size=2), max_size=2),
    )


_URL_PIECES = [
    "http://",
    "https://",
    "localhost",
    "[::1",
    "[::1]",
    "[",
    "]",
    "::",
    ":8080",
    "/callback",
    "?",
    "#",
    "&",
    "&amp;",
    "=",
    "code=",
    "state=",
    "realmId=",
    "realmid=",
    "error=",
    "error_description=",
    "access_denied",
    "%",
    "%2",
    "%zz",
    "%ff",
    "%00",
    "%0A",
    "%E2%80%AE",
    "+",
    " ",
    "\n",
    "<",
    ">",
    '"',
    "AB11700000000abcDEF",
    "9341452164813577",
    "9" * 40,
]


def url_soup(extra: list[str] | None = None, max_pieces: int = 30) -> st.SearchStrategy[str]:
    """Text made of the pieces of redirect addresses, broken and mixed with nasty characters."""
    pieces = _URL_PIECES + (extra or [])
    piece = st.one_of(
        st.sampled_from(pieces), st.sampled_from(NASTY_CHARACTERS), st.text(max_size=3)
    )
    return st.lists(piece, max_size=max_pieces).map("".join)


def pasted_text(extra: list[str] | None = None) -> st.SearchStrategy[str]:
    """Anything a person might paste: plain text, address-like soup, or the same soup repeated.

    Kept to a few kilobytes so 10,000 examples stay cheap; megabytes are explicit test cases.
    """
    return st.one_of(
        st.text(max_size=100),
        url_soup(extra),
        st.builds(lambda s, n: s * n, url_soup(extra, 8), st.integers(min_value=2, max_value=40)),
    )


def dump(data: object) -> str:
    """`data` as YAML text, written by libyaml (the pure-Python writer would slow every run)."""
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    return yaml.dump(data, Dumper=dumper, allow_unicode=True)
