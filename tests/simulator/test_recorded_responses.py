"""The practice QuickBooks against answers recorded from Intuit's real servers.

Each recorded answer (`data/recorded_responses.yaml`, with the public page it comes from) is
matched with the practice QuickBooks' answer to the same request, field by field: status,
the headers clients read, envelope, every field name with its casing and JSON type, chosen
values, the shape of timestamps, compact JSON, and for XML the element names. Differences that
come from the recorded company's data rather than from QuickBooks' behaviour are listed in the
file with the reason; anything else fails the test, which prints every difference it found.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
import requests
import yaml

from qbo_wizard.simulator.server import SimulatorServer
from tests.simulator.helpers import US_REALM, api, token_call

RECORDED = Path(__file__).parent / "data" / "recorded_responses.yaml"
_TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?[-+]\d\d:\d\d$")


def _samples() -> list[dict[str, Any]]:
    data = yaml.safe_load(RECORDED.read_text(encoding="utf-8"))
    samples: list[dict[str, Any]] = data["responses"]
    return samples


# ------------------------------------------------------------------------- JSON shapes


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        stamp = _TIMESTAMP.match(value)
        if stamp is None:
            return "string"
        return "timestamp with milliseconds" if stamp.group(1) else "timestamp in whole seconds"
    return "array" if isinstance(value, list) else "object"


def _shape(
    value: Any, path: str = "", into: dict[str, set[str]] | None = None
) -> dict[str, set[str]]:
    """Every path in a JSON value (list items as `[]`) with the kinds of value found there."""
    shape = into if into is not None else {}
    if path:
        shape.setdefault(path, set()).add(_kind(value))
    if isinstance(value, dict):
        for key, item in value.items():
            _shape(item, f"{path}.{key}" if path else key, shape)
    elif isinstance(value, list):
        for item in value:
            _shape(item, f"{path}[]", shape)
    return shape


def _values(value: Any, path: str) -> list[Any]:
    """The values at a path (`A.B[].C`), in every list item."""
    found = [value]
    for part in path.split("."):
        name, many = (part[:-2], True) if part.endswith("[]") else (part, False)
        found = [item[name] for item in found if isinstance(item, dict) and name in item]
        if many:
            found = [inner for item in found if isinstance(item, list) for inner in item]
    return found


def _allowed(path: str, allowed: dict[str, str]) -> bool:
    return any(path == rule or path.startswith((rule + ".", rule + "[]")) for rule in allowed)


def _json_differences(recorded: Any, ours: Any, sample: dict[str, Any]) -> list[str]:
    allowed = sample.get("allowed") or {}
    theirs, mine = _shape(recorded), _shape(ours)
    differences = [
        f"{path} is missing (QuickBooks sends {sorted(kinds)})"
        for path, kinds in theirs.items()
        if path not in mine and not _allowed(path, allowed)
    ]
    differences += [
        f"{path} is extra (QuickBooks sends no such field)"
        for path in mine
        if path not in theirs and not _allowed(path, allowed)
    ]
    differences += [
        f"{path} is {sorted(mine[path])}, QuickBooks sends {sorted(kinds)}"
        for path, kinds in theirs.items()
        if path in mine and mine[path] != kinds and not _allowed(path, allowed)
    ]
    for path in sample.get("same_values") or []:
        expected, got = _values(recorded, path)[:1], _values(ours, path)[:1]
        if expected != got:
            differences.append(f"{path} is {got}, QuickBooks sends {expected}")
    return differences


# --------------------------------------------------------------------------- XML shapes


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _element_paths(element: ET.Element, path: str = "") -> set[str]:
    here = f"{path}.{_local(element.tag)}" if path else _local(element.tag)
    paths = {here}
    for name, value in element.attrib.items():
        paths.add(f"{here}@{name}={value}" if name in ("domain", "sparse") else f"{here}@{name}")
    for child in element:
        paths |= _element_paths(child, here)
    return paths


def _parse(text: str) -> ET.Element:
    return ET.fromstring(text.encode())  # noqa: S314  # recorded fixtures and the local server


def _xml_differences(recorded: str, ours: str, sample: dict[str, Any]) -> list[str]:
    allowed = sample.get("allowed") or {}
    theirs, mine = _element_paths(_parse(recorded)), _element_paths(_parse(ours))
    missing = [f"{p} is missing" for p in sorted(theirs - mine) if not _allowed(p, allowed)]
    extra = [f"{p} is extra" for p in sorted(mine - theirs) if not _allowed(p, allowed)]
    return missing + extra


_FAULT_PARTS = {
    "type": re.compile(r'<Fault type="([^"]*)"'),
    "code": re.compile(r'<Error code="([^"]*)"'),
    "element": re.compile(r'<Error code="[^"]*" element="([^"]*)"'),
    "Message": re.compile(r"<Message>([^<]*)</Message>"),
    "Detail": re.compile(r"<Detail>([^<]*)</Detail>"),
}


def _xml_fault_differences(recorded: str, ours: str) -> list[str]:
    """Faults are compared part by part: Intuit has sent faults that are not well-formed XML."""
    differences = []
    if "<IntuitResponse" not in ours or 'xmlns="http://schema.intuit.com/finance/v3"' not in ours:
        differences.append("the answer is not an IntuitResponse in Intuit's namespace")
    for name, pattern in _FAULT_PARTS.items():
        expected, got = pattern.search(recorded), pattern.search(ours)
        expected_text = expected.group(1) if expected else None
        got_text = got.group(1) if got else None
        if expected_text != got_text:
            differences.append(f"{name} is {got_text!r}, QuickBooks sends {expected_text!r}")
    return differences


# ----------------------------------------------------------------------------- requests


def _placeholders(simulator: SimulatorServer) -> dict[str, str]:
    books = simulator.companies[US_REALM].books
    customer = next(c for c in books.all("Customer") if c["Active"])
    item = next(i for i in books.all("Item") if i["Active"] and i["Type"] == "Service")
    return {
        "{realm}": US_REALM,
        "{customer}": customer["Id"],
        "{customer_name}": customer["DisplayName"],
        "{item}": item["Id"],
    }


def _fill(value: Any, names: dict[str, str]) -> Any:
    if isinstance(value, str):
        for placeholder, actual in names.items():
            value = value.replace(placeholder, actual)
        return value
    if isinstance(value, dict):
        return {key: _fill(item, names) for key, item in value.items()}
    if isinstance(value, list):
        return [_fill(item, names) for item in value]
    return value


def _ask(simulator: SimulatorServer, sample: dict[str, Any]) -> requests.Response:
    request = _fill(sample["request"], _placeholders(simulator))
    tokens = simulator.mint_tokens(US_REALM)
    if request.get("token") == "refresh":
        return token_call(
            simulator,
            "development",
            grant_type="refresh_token",
            refresh_token=tokens["refresh_token"],
        )
    if request.get("scenario"):
        simulator.control("scenario", name=request["scenario"], realm_id=US_REALM)
    token = "not-a-token" if request.get("token") == "bad" else tokens["access_token"]
    kwargs: dict[str, Any] = {"method": request["method"]}
    if "json" in request:
        kwargs["json"] = request["json"]
    if "query" in request:
        kwargs["params"] = {"query": request["query"]}
    if "accept" in request:
        kwargs["headers"] = {"Accept": request["accept"]}
    return api(simulator, token, US_REALM, request["path"], **kwargs)


def _header_differences(recorded: dict[str, str], answer: requests.Response) -> list[str]:
    differences = []
    for name, value in recorded.items():
        key = name.lower().replace("-", "_")
        if key == "intuit_tid":
            if not (answer.headers.get("intuit_tid") or answer.headers.get("Intuit-Tid")):
                differences.append("header intuit_tid is missing")
            continue
        got = answer.headers.get(name, "")
        if key == "content_type":
            expected_type = value.split(";")[0].strip().lower()
            if got.split(";")[0].strip().lower() != expected_type:
                differences.append(f"Content-Type is {got!r}, QuickBooks sends {value!r}")
        elif got != value:
            differences.append(f"header {name} is {got!r}, QuickBooks sends {value!r}")
    return differences


def test_every_recorded_answer_names_its_public_source() -> None:
    samples = _samples()
    assert len(samples) >= 10
    for sample in samples:
        assert sample["source"].startswith("https://github.com/"), sample["name"]
        for path, why in (sample.get("allowed") or {}).items():
            assert why.strip(), f"{sample['name']}: {path} is allowed without a reason"


@pytest.mark.parametrize("sample", _samples(), ids=lambda sample: sample["name"])
def test_the_practice_answer_matches_the_recorded_one(
    simulator: SimulatorServer, sample: dict[str, Any]
) -> None:
    answer = _ask(simulator, sample)
    differences = []
    if answer.status_code != sample["status"]:
        differences.append(f"status is {answer.status_code}, QuickBooks sends {sample['status']}")
    differences += _header_differences(sample.get("headers") or {}, answer)
    recorded = sample["body"]
    if sample["compare"] == "json":
        differences += _json_differences(json.loads(recorded), answer.json(), sample)
        if '":' in recorded and '": ' not in recorded and '": ' in answer.text:
            differences.append("the JSON has spaces after ':'; QuickBooks' is compact")
    elif sample["compare"] == "xml":
        differences += _xml_differences(recorded, answer.text, sample)
    elif sample["compare"] == "xml-fault":
        differences += _xml_fault_differences(recorded, answer.text)
    else:
        if answer.text != recorded:
            differences.append(f"the body is {answer.text[:200]!r}")
    for difference in differences:
        print(f"{sample['name']}: {difference}")
    assert differences == [], f"{sample['name']} ({sample['source']}) differs"
