"""Find the QuickBooks or Intuit error in whatever a user pastes, and explain it.

`explain(text)` accepts anything: a JSON `Fault`/`fault` body (also inside a log line, also
escaped inside another JSON string, also a list of errors), an XML `IntuitResponse`,
intuit-oauth's `AuthClientError` text, python-quickbooks' exception text, the gateway's
`message=…; errorCode=003200; statusCode=401` strings, a callback URL with `error=…`, a sentence
from a help article, or a whole log. It picks the most specific error it recognises, looks it up
in the error knowledge (`content/errors.yaml`) and returns an `Explanation`, or None.

It never raises on any input and its work is bounded: at most `MAX_SCAN_CHARS` characters are
examined (the start and the end of longer input, where errors usually are), each kind of marker
is followed at most `MAX_MARKERS` times, and every pattern is linear.

`explain_error(code, …)` does the same for callers that already hold the code (API errors,
doctor, the support bundle).
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Iterator
from typing import Any, NamedTuple

from qbo_wizard.core.health.knowledge import Knowledge, KnownError, knowledge, normalise_code
from qbo_wizard.core.patterns import LazyPattern
from qbo_wizard.core.redact import redact_text

MAX_SCAN_CHARS = 1_000_000
MAX_MARKERS = 50
MAX_DETAIL_CHARS = 600
_CONTEXT_CHARS = 300
_JSON_WINDOW = 20_000
_XML_WINDOW = 8_000

# Quality of a match: a special case beats a plain code, which beats a catch-all.
_REFINED, _SPECIFIC, _GENERIC = 3, 2, 1
# How much the place a code was found says: a field of an error body, a loose mention, a phrase.
_STRUCTURED, _LOOSE, _PHRASE = 2, 1, 0


# Records are NamedTuples, not dataclasses: `qbo-wizard explain` starts faster without the
# dataclasses module (and what it imports), and these records need nothing more.
class Explanation(NamedTuple):
    """An error, recognised: what it is, why it happens, how to fix it, and where in the wizard."""

    key: str
    code: str | None
    title: str
    cause: tuple[str, ...]
    fix: tuple[str, ...]
    step: str | None
    intuit_tid: str | None
    detail: str | None

    def to_json_dict(self) -> dict[str, Any]:
        """The `{code, title, cause, fix, step, intuit_tid}` object, plus `key` and `detail`."""
        return {
            "code": self.code,
            "title": self.title,
            "cause": list(self.cause),
            "fix": list(self.fix),
            "step": self.step,
            "intuit_tid": self.intuit_tid,
            "key": self.key,
            "detail": self.detail,
        }


class _Found(NamedTuple):
    """One error spotted in the text, before it is looked up."""

    position: int
    strength: int
    code: str | None = None
    status: int | None = None
    entry: KnownError | None = None  # a phrase that names an entry directly
    own_text: str = ""  # the error's message and detail, or the line it sits on
    detail: str | None = None  # what QuickBooks or Intuit said, for display


class _Match(NamedTuple):
    entry: KnownError
    quality: int
    found: _Found


# ---------------------------------------------------------------------------- text helpers


def _bounded(text: str) -> str:
    if len(text) <= MAX_SCAN_CHARS:
        return text
    half = MAX_SCAN_CHARS // 2
    return text[:half] + "\n" + text[-half:]


def _lower_same_length(text: str) -> str:
    """Lower-cased text whose positions match the original (a few letters grow when lowered)."""
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(c if len(c.lower()) != 1 else c.lower() for c in text)


def _context(text: str, position: int) -> str:
    """The line around `position`, at most `_CONTEXT_CHARS` either side."""
    low = max(0, position - _CONTEXT_CHARS)
    start = max(low, text.rfind("\n", low, position) + 1)
    end = text.find("\n", position, position + _CONTEXT_CHARS)
    if end < 0:
        end = min(len(text), position + _CONTEXT_CHARS)
    return text[start:end]


def _as_text(value: object) -> str:
    if isinstance(value, str):
        return value
    if value is None or isinstance(value, (dict, list)):
        return ""
    return str(value)


def _clean_detail(*parts: str) -> str | None:
    joined = " ".join(" ".join(part.split()) for part in parts if part and part.strip())
    if not joined:
        return None
    joined = redact_text(joined)
    if len(joined) > MAX_DETAIL_CHARS:
        joined = joined[: MAX_DETAIL_CHARS - 1] + "…"
    return joined


def _first(pattern: LazyPattern, text: str, limit: int = MAX_MARKERS) -> Iterator[re.Match[str]]:
    return itertools.islice(pattern.finditer(text), limit)


# ------------------------------------------------------------------- JSON Fault / fault bodies

_FAULT_KEY = LazyPattern(r"""\\?["']?\b(?:Fault|fault)\\?["']?[ \t]{0,20}[:=][ \t]{0,20}""")
# A `code` field in any language's rendering of an error object: JSON (`"code": "6000"`), a
# Python dict repr (`u'code': u'6000'`), a JavaScript object (`code: '6000'`) or a Ruby hash
# (`:error_code=>"6000"`, `:code=>"3001"`).
# A key without quotes counts only with a quoted value, so prose ("status code: 200") does not.
_CODE_FIELD = LazyPattern(
    r"""\\?["'](?:error_)?code\\?["'][ \t]{0,20}(?:=>|:)[ \t]{0,20}"""
    r"""u?\\?["']?(-?[A-Za-z0-9_]{1,40})"""
    r"""|(?<![\w.-]):?(?:error_)?code[ \t]{0,20}(?:=>|:)[ \t]{0,20}"""
    r"""u?\\?["'](-?[A-Za-z0-9_]{1,40})"""
)
_TEXT_FIELD = LazyPattern(
    r"""(?:\\?["']|(?<![\w.-]):?)(?:error_)?(Message|message|Detail|detail|element)\\?["']?"""
    r"""[ \t]{0,20}(?:=>|:)[ \t\r\n]{0,20}u?\\?["']((?:[^"'\\]|\\.){0,1000})"""
)
_DECODER = json.JSONDecoder()


def _decode_object(text: str, start: int) -> Any:
    """The JSON value starting at `start`, also when its quotes are escaped; None if neither."""
    try:
        return _DECODER.raw_decode(text, start)[0]
    except ValueError:
        pass
    window = text[start : start + _JSON_WINDOW]
    if '\\"' not in window:
        return None
    try:
        return _DECODER.raw_decode(window.replace('\\\\"', '"').replace('\\"', '"'), 0)[0]
    except ValueError:
        return None
    except RecursionError:
        return None


def fault_errors(fault: Any) -> list[dict[str, Any]]:
    """The error objects of a decoded `Fault`/`fault` value (a list of them, or just one)."""
    if not isinstance(fault, dict):
        return []
    errors = fault.get("Error", fault.get("error"))
    if isinstance(errors, dict):
        errors = [errors]
    if not isinstance(errors, list):
        return []
    return [error for error in errors[:MAX_MARKERS] if isinstance(error, dict)]


def _fault_error(position: int, code: str, message: str, detail: str, element: str) -> _Found:
    """One error of a Fault body; QuickBooks' Detail is what the user is shown."""
    return _Found(
        position=position,
        strength=_STRUCTURED,
        code=code,
        own_text=f"{message} {detail} {element}",
        detail=_clean_detail(detail or message, f"(field: {element})" if element else ""),
    )


def error_fields(error: dict[str, Any]) -> tuple[str, str, str, str]:
    """(code, message, detail, element) of one error object, in either spelling of each key."""
    code = _as_text(error.get("code", error.get("Code"))).strip()
    message = _as_text(error.get("Message", error.get("message")))
    detail = _as_text(error.get("Detail", error.get("detail")))
    element = _as_text(error.get("element", error.get("Element")))
    return code, message, detail, element


def _from_error_object(error: dict[str, Any], position: int) -> _Found | None:
    code, message, detail, element = error_fields(error)
    if not code:
        return None
    return _fault_error(position, code, message, detail, element)


def _json_faults(text: str) -> list[_Found]:
    found: list[_Found] = []
    if "ault" not in text:  # "Fault" or "fault"
        return found
    for marker in _first(_FAULT_KEY, text):
        start = marker.end()
        if start >= len(text) or text[start] != "{":
            continue
        try:
            fault = _decode_object(text, start)
        except RecursionError:
            fault = None
        for error in fault_errors(fault):
            item = _from_error_object(error, marker.start())
            if item is not None:
                found.append(item)
    return found


def _json_code_fields(text: str) -> list[_Found]:
    """`"code": "…"` fields of error bodies that could not be decoded whole (cut off, repr)."""
    found: list[_Found] = []
    if "code" not in text:
        return found
    for match in _first(_CODE_FIELD, text):
        around = text[max(0, match.start() - 1200) : match.end() + 600]
        fields: dict[str, str] = {}
        for field_match in _first(_TEXT_FIELD, around, 12):
            fields.setdefault(field_match.group(1).lower(), field_match.group(2))
        message, detail = fields.get("message", ""), fields.get("detail", "")
        element = fields.get("element", "")
        code = match.group(1) or match.group(2)
        found.append(_fault_error(match.start(), code, message, detail, element))
    return found


# -------------------------------------------------------------------------- XML IntuitResponse

_XML_ERROR = LazyPattern(r"<(?:[A-Za-z0-9]{1,20}:)?Error\b([^<>]{0,600})>")
_XML_CODE = LazyPattern(r"""\bcode[ \t]*=[ \t]*\\?["']([^"'<>\\]{1,40})\\?["']""")
_XML_ELEMENT = LazyPattern(r"""\belement[ \t]*=[ \t]*\\?["']([^"'<>\\]{0,200})\\?["']""")
_XML_TEXT = LazyPattern(
    r"<(?:[A-Za-z0-9]{1,20}:)?(Message|Detail)>([^<]{0,2000})</(?:[A-Za-z0-9]{1,20}:)?\1>"
)


def xml_errors(text: str) -> list[tuple[int, str, str, str, str]]:
    """(position, code, message, detail, element) of each `<Error code="…">` in XML text."""
    found: list[tuple[int, str, str, str, str]] = []
    if "Error" not in text:
        return found
    import html

    for marker in _first(_XML_ERROR, text):
        code = _XML_CODE.search(marker.group(1))
        if code is None:
            continue
        element_match = _XML_ELEMENT.search(marker.group(1))
        element = html.unescape(element_match.group(1)) if element_match else ""
        body = text[marker.end() : marker.end() + _XML_WINDOW]
        closing = body.find("Error>")
        if closing >= 0:
            body = body[:closing]
        fields = {m.group(1): html.unescape(m.group(2)) for m in _first(_XML_TEXT, body, 4)}
        message, detail = fields.get("Message", ""), fields.get("Detail", "")
        found.append((marker.start(), code.group(1), message, detail, element))
    return found


def _xml_faults(text: str) -> list[_Found]:
    return [_fault_error(*error) for error in xml_errors(text)]


# ----------------------------------------------------------- gateway and library message text

GATEWAY_CODE = LazyPattern(r"\berrorCode[ \t]*=[ \t]*(\d{1,8})")
_LIBRARY = LazyPattern(r"\bQB (?:[A-Za-z]{1,20} ){0,4}Exception (\d{1,8}):[ \t]*([^\n]{0,500})")
# Every match of _LOOSE_CODE (case-insensitive) contains one of these.
_LOOSE_MARKERS = ("error", "code", "fault", "exception", "message=")
_LOOSE_CODE = LazyPattern(
    r"(?i)\b(?:error|code|fault|exception)(?:[ \t]+code)?[ \t]{0,3}[:#=]?[ \t]{0,3}\(?(\d{3,6})\b"
    r"|\b(\d{3,6})(?::[ \t]*message=|[ \t]+error\b)"
)


def _gateway_codes(text: str) -> list[_Found]:
    found: list[_Found] = []
    if "errorCode" not in text:
        return found
    for match in _first(GATEWAY_CODE, text):
        line = _context(text, match.start())
        found.append(
            _Found(match.start(), _STRUCTURED, code=match.group(1), own_text=line, detail=None)
        )
    return found


def _library_codes(text: str) -> list[_Found]:
    """python-quickbooks: `QB Validation Exception 6000: message` then the detail line."""
    found: list[_Found] = []
    if "Exception" not in text:
        return found
    for match in _first(_LIBRARY, text):
        following = text[match.end() : match.end() + 600].lstrip("\n").split("\n", 1)[0]
        found.append(
            _Found(
                match.start(),
                _STRUCTURED,
                code=match.group(1),
                own_text=f"{match.group(2)} {following}",
                detail=_clean_detail(following or match.group(2)),
            )
        )
    return found


def _loose_codes(text: str, lowered: str) -> list[_Found]:
    found: list[_Found] = []
    if not any(word in lowered for word in _LOOSE_MARKERS):
        return found
    for match in _first(_LOOSE_CODE, text):
        code = match.group(1) or match.group(2)
        found.append(
            _Found(match.start(), _LOOSE, code=code, own_text=_context(text, match.start()))
        )
    return found


# ------------------------------------------------------------------- OAuth errors and statuses

_ERROR_DESCRIPTION = LazyPattern(
    r"""error_description\\?["']?[ \t]{0,5}[:=][ \t]{0,5}\\?["']?([^"'&\n\\]{1,300})"""
)
# Every match of _HTTP_STATUS (case-insensitive) contains one of these.
_STATUS_MARKERS = (
    "http",
    "status",
    "unauthorized",
    "forbidden",
    "too many requests",
    "internal server error",
    "bad gateway",
    "service unavailable",
    "gateway timeout",
    "got a",
    "badgateway",
    "gatewaytimeout",
)
# An HTTP status on its own: `HTTP 503`, `status: 401`, `:status=>503`, PHP SDKs'
# `(got a 401, expected HTTP/1.1 20X …)`, `503 Service Temporarily Unavailable`, or only the
# status's name in .NET's spelling (`IdsException: BadGateway`).
_HTTP_STATUS = LazyPattern(
    r"(?i)\b(?:HTTP(?:/\d(?:\.\d)?)?(?:[ \t]+status)?|status(?:[ \t]*code)?|got an?)"
    r"""\\?["']?[ \t]{0,3}(?:=>|[:=])?[ \t]{0,3}([1-5]\d\d)\b"""
    r"|\b([1-5]\d\d)[ \t]+(?:Unauthorized|Forbidden|Too Many Requests|Internal Server Error"
    r"|Bad Gateway|Service (?:Temporarily )?Unavailable|Gateway Timeout)\b"
    r"|\b(BadGateway|ServiceUnavailable|GatewayTimeout)\b"
)
_STATUS_NAMES = {"badgateway": 502, "serviceunavailable": 503, "gatewaytimeout": 504}


def _word_codes(text: str, lowered: str, known: Knowledge) -> list[_Found]:
    found = []
    for phrase, code in known.word_codes():
        position = phrase.first_in(lowered)
        if position < 0:
            continue
        line = _context(text, position)
        description = _ERROR_DESCRIPTION.search(line)
        detail = None
        if description is not None:
            from urllib.parse import unquote_plus

            detail = _clean_detail(unquote_plus(description.group(1)))
        found.append(_Found(position, _STRUCTURED, code=code, own_text=line, detail=detail))
    return found


def _statuses(text: str, lowered: str) -> list[_Found]:
    found: list[_Found] = []
    if not any(word in lowered for word in _STATUS_MARKERS):
        return found
    for match in _first(_HTTP_STATUS, text):
        number = match.group(1) or match.group(2)
        status = int(number) if number else _STATUS_NAMES[match.group(3).lower()]
        found.append(_Found(match.start(), _PHRASE, status=status))
    return found


def _phrases(text: str, lowered: str, known: Knowledge) -> list[_Found]:
    found = []
    for entry in known.entries:
        for phrase in entry.phrases:
            position = phrase.first_in(lowered)
            if position < 0:
                continue
            line = _context(text, position)
            if entry.codes:  # let the code's special cases look at the sentence
                found.append(_Found(position, _PHRASE, code=entry.codes[0], own_text=line))
            else:
                found.append(_Found(position, _PHRASE, entry=entry, own_text=line))
            break
    return found


# ------------------------------------------------------------------------------ intuit_tid

# `intuit_tid: …`, `"intuit_tid": "…"`, Ruby's `"intuit_tid"=>"…"`, PHP's `[intuit_tid] => …`
# and .NET's `Intuit_Tid header: …`.
_INTUIT_TID = LazyPattern(
    r"""(?i)\bintuit[_-]tid\\?["'\]]?(?:[ \t]{1,3}header)?[ \t]{0,3}(?:=>|[:=])?[ \t]{0,3}"""
    r"""\\?["']?([A-Za-z0-9][A-Za-z0-9._-]{5,99})"""
)


def _intuit_tids(text: str) -> list[tuple[int, str]]:
    if "intuit" not in text.lower():
        return []
    return [
        (match.start(), match.group(1))
        for match in _first(_INTUIT_TID, text)
        if any(c.isdigit() for c in match.group(1))
    ]


def find_intuit_tid(text: str) -> str | None:
    """The first `intuit_tid` in the text (header dumps, JSON, AuthClientError), or None."""
    if not isinstance(text, str):
        return None
    tids = _intuit_tids(_bounded(text))
    return redact_text(tids[0][1]) if tids else None


# ------------------------------------------------------------------------------- choosing


def _resolve(found: _Found, known: Knowledge) -> _Match | None:
    if found.entry is not None:
        entry = found.entry
        quality = _REFINED if entry.is_refinement else _GENERIC if entry.generic else _SPECIFIC
        return _Match(entry, quality, found)
    if found.status is not None:
        status_entry = known.for_status(found.status)
        return _Match(status_entry, _GENERIC, found) if status_entry else None
    if found.code is None:
        return None
    if found.strength < _STRUCTURED and normalise_code(found.code) not in known.by_code:
        return None  # a loose number must be a code we list, not just any number in range
    result = known.for_code(found.code, found.own_text)
    if result is None:
        return None
    entry, refined = result
    if refined:
        quality = _REFINED
    elif entry.generic or normalise_code(found.code) not in known.by_code:
        quality = _GENERIC
    else:
        quality = _SPECIFIC
    return _Match(entry, quality, found)


def _collect(text: str, known: Knowledge) -> list[_Match]:
    lowered = _lower_same_length(text)
    structured = _json_faults(text) or _json_code_fields(text)
    found = [
        *structured,
        *_xml_faults(text),
        *_gateway_codes(text),
        *_library_codes(text),
        *_word_codes(text, lowered, known),
        *_loose_codes(text, lowered),
        *_phrases(text, lowered, known),
        *_statuses(text, lowered),
    ]
    matches = [match for item in found if (match := _resolve(item, known)) is not None]
    # Among equals, an error code says more than a bare HTTP status.
    matches.sort(
        key=lambda m: (-m.quality, -m.found.strength, m.found.status is not None, m.found.position)
    )
    return matches


def _code_for(best: _Match, matches: list[_Match]) -> str | None:
    """The code to show: one written in the text if possible, else the one a sentence names."""
    same = [m for m in matches if m.entry is best.entry]
    written = [m.found.code for m in same if m.found.code and m.found.strength >= _LOOSE]
    if written:
        # Intuit's number (3001) rather than its name for the same error (ThrottleExceeded).
        numbers = [code for code in written if code.lstrip("-").isdigit()]
        return best.entry.display_code((numbers or written)[0])
    for match in same:
        if match.found.status is not None:
            return f"HTTP {match.found.status}"
    if best.found.code is not None:
        return best.entry.display_code(best.found.code)
    # A special case named by a sentence: borrow the code it is a case of, if the text has one.
    wanted = {normalise_code(code) for code in best.entry.refines}
    for other in matches:
        code = other.found.code
        if code is not None and normalise_code(code) in wanted:
            return other.entry.display_code(code)
    return None


def _nearest_tid(tids: list[tuple[int, str]], position: int) -> str | None:
    if not tids:
        return None
    return redact_text(min(tids, key=lambda item: abs(item[0] - position))[1])


def _explanation(
    match: _Match, code: str | None, tid: str | None, detail: str | None
) -> Explanation:
    entry = match.entry
    return Explanation(
        key=entry.key,
        code=code,
        title=entry.title_for(code),
        cause=entry.causes,
        fix=entry.fix,
        step=entry.step,
        intuit_tid=tid,
        detail=detail,
    )


_BARE_CODE = LazyPattern(r"#?(\d{1,8})")


def _bare_code(text: str, known: Knowledge) -> Explanation | None:
    """The explanation when the text is nothing but a code (`3200`, `003200`, `6000`, `429`).

    A number QuickBooks lists as an error code is that code; otherwise a number that is an HTTP
    status (401, 429, 503, …) is taken as one; any other number falls back to its code range.
    """
    found = _BARE_CODE.fullmatch(text.strip().strip("\"'`()[]").strip())
    if found is None:
        return None
    number = found.group(1)
    if normalise_code(number) not in known.by_code and known.for_status(int(number)):
        return explain_error(None, status=int(number))
    return explain_error(number)


def explain_all(text: str) -> list[Explanation]:
    """Every distinct error recognised in the text, most specific first."""
    if not isinstance(text, str) or not text.strip():
        return []
    known = knowledge()
    bare = _bare_code(text, known)
    if bare is not None:
        return [bare]
    bounded = _bounded(text)
    matches = _collect(bounded, known)
    tids = _intuit_tids(bounded)
    seen: set[str] = set()
    explanations = []
    specific_found = any(not m.entry.generic for m in matches)
    for match in matches:
        if match.entry.key in seen or (specific_found and match.entry.generic):
            continue  # a catch-all adds nothing once something specific explains the text
        seen.add(match.entry.key)
        detail = match.found.detail
        if detail is None:  # another sighting of the same error may carry QuickBooks' words
            detail = next(
                (m.found.detail for m in matches if m.entry is match.entry and m.found.detail),
                None,
            )
        explanations.append(
            _explanation(
                match,
                _code_for(match, matches),
                _nearest_tid(tids, match.found.position),
                detail,
            )
        )
    return explanations


def explain(text: str) -> Explanation | None:
    """The most specific error recognised in the text, explained; None if there is none."""
    found = explain_all(text)
    return found[0] if found else None


def explain_error(
    code: str | int | None,
    *,
    message: str = "",
    detail: str = "",
    status: int | None = None,
    intuit_tid: str | None = None,
) -> Explanation | None:
    """Explain an error whose parts are already known (for API errors, doctor, bundles)."""
    known = knowledge()
    own_text = f"{message} {detail}"
    shown = _clean_detail(detail or message)
    tid = redact_text(intuit_tid) if intuit_tid else None
    if code is not None and str(code).strip():
        found = _Found(0, _STRUCTURED, code=str(code).strip(), own_text=own_text, detail=shown)
        match = _resolve(found, known)
        if match is not None:
            return _explanation(match, match.entry.display_code(str(code).strip()), tid, shown)
    if status is not None:
        status_entry = known.for_status(status)
        if status_entry is not None:
            match = _Match(status_entry, _GENERIC, _Found(0, _PHRASE, status=status))
            return _explanation(match, f"HTTP {status}", tid, shown)
    return None
