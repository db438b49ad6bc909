"""The Accounting API's answers in XML, for clients that ask for it (`Accept: application/xml`).

QuickBooks Online speaks XML as well as JSON (Intuit's PHP SDK and quickbooks-ruby use XML),
and its throttling has been seen answering XML even to JSON clients. The XML is written from
the same dictionaries the JSON answers come from:

- everything sits in `<IntuitResponse xmlns="http://schema.intuit.com/finance/v3" time="…">`;
- a record's `domain` and `sparse` become attributes (`<Invoice domain="QBO" sparse="false">`);
- a reference becomes text with a `name` attribute (`<CustomerRef name="Acme">3</CustomerRef>`);
- a list repeats its element (`<Line>…</Line><Line>…</Line>`);
- `QueryResponse` carries `startPosition`, `maxResults` and `totalCount` as attributes;
- both fault shapes become `<Fault type="…"><Error code="…" element="…">` with `<Message>` and
  `<Detail>`, as Intuit sends them.

Elements follow the order of the dictionaries, not the order of Intuit's schema.
"""

from __future__ import annotations

from typing import Any
from xml.sax.saxutils import escape, quoteattr

NAMESPACE = "http://schema.intuit.com/finance/v3"
_RECORD_ATTRIBUTES = ("domain", "sparse")
_QUERY_ATTRIBUTES = ("startPosition", "maxResults", "totalCount")
_REFERENCE_KEYS = frozenset(("value", "name", "type"))


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _attributes(pairs: list[tuple[str, Any]]) -> str:
    return "".join(f" {name}={quoteattr(_scalar(value))}" for name, value in pairs)


def _is_reference(value: dict[str, Any]) -> bool:
    return "value" in value and set(value) <= _REFERENCE_KEYS


def _element(tag: str, value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return "".join(_element(tag, item) for item in value)
    if isinstance(value, dict):
        if _is_reference(value):
            extra = [(key, value[key]) for key in ("name", "type") if value.get(key)]
            return f"<{tag}{_attributes(extra)}>{escape(_scalar(value['value']))}</{tag}>"
        names = _QUERY_ATTRIBUTES if tag == "QueryResponse" else _RECORD_ATTRIBUTES
        attributes = [(key, value[key]) for key in names if key in value]
        children = "".join(_element(key, item) for key, item in value.items() if key not in names)
        return f"<{tag}{_attributes(attributes)}>{children}</{tag}>"
    return f"<{tag}>{escape(_scalar(value))}</{tag}>"


def _fault(fault: dict[str, Any]) -> str:
    errors = fault.get("Error") or fault.get("error") or []
    parts = []
    for error in errors:
        attributes = [("code", error.get("code", ""))]
        if error.get("element"):
            attributes.append(("element", error["element"]))
        message = error.get("Message", error.get("message")) or ""
        detail = error.get("Detail", error.get("detail")) or ""
        inner = f"<Message>{escape(message)}</Message>"
        if detail:
            inner += f"<Detail>{escape(detail)}</Detail>"
        parts.append(f"<Error{_attributes(attributes)}>{inner}</Error>")
    return f"<Fault{_attributes([('type', fault.get('type', ''))])}>{''.join(parts)}</Fault>"


def to_xml(body: dict[str, Any], time_stamp: str) -> str:
    """The XML answer for a JSON answer body (a record, a query result or either fault)."""
    fault = body.get("Fault") or body.get("fault")
    if isinstance(fault, dict):
        inner = _fault(fault)
    else:
        inner = "".join(
            _element(key, value)
            for key, value in body.items()
            if key not in ("time",) and value is not None
        )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<IntuitResponse xmlns="{NAMESPACE}" time="{time_stamp}">{inner}</IntuitResponse>'
    )


def wants_xml(accept: str) -> bool:
    """True when the Accept header asks for XML rather than JSON (JSON wins a tie)."""
    wanted = accept.lower()
    return "xml" in wanted and "json" not in wanted
