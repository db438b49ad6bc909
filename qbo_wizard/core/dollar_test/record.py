"""The check's own record, `test-documents.yaml`: the request id of each document before it is
sent and the documents posted but not yet cleaned up; and the lock that lets one run at a time."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from qbo_wizard.core.dollar_test.results import DOCUMENT_KINDS, DocumentKind, PartyRef
from qbo_wizard.core.files import private_lock, read_yaml_mapping, write_yaml_mapping
from qbo_wizard.core.line_kinds import line_kind
from qbo_wizard.core.paths import ensure_private_dir, profile_dir
from qbo_wizard.core.problems import ConfigFileError, WizardError

RECORD_FILE = "test-documents.yaml"
LOCK_FILE = ".test-run.lock"
RECORD_FORMAT = 1

_RECORD_HEADER = (
    "qbo-wizard $1.00 test: the request ids of test documents being sent, and the test\n"
    "documents posted but not yet voided or deleted. Written by the wizard before each post,\n"
    "so a retry cannot post twice and a later run can finish an interrupted cleanup."
)


class DollarCheckAlreadyRunning(WizardError):
    """Another window or command is running the test for this profile right now."""


@dataclass
class RecordedDocument:
    """A test document being sent (`sending`) or posted and not yet cleaned (`posted`)."""

    kind: DocumentKind
    request_id: str
    state: Literal["sending", "posted"]
    cleanup: Literal["wanted", "keep"]
    line_id: str = ""
    started_at: str = ""
    id: str | None = None
    number: str | None = None
    amount: float | None = None
    currency: str | None = None

    def to_yaml(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "kind": self.kind,
            "request_id": self.request_id,
            "state": self.state,
            "cleanup": self.cleanup,
            "line_id": self.line_id,
            "started_at": self.started_at,
        }
        for key in ("id", "number", "amount", "currency"):
            if getattr(self, key) is not None:
                data[key] = getattr(self, key)
        return data


@dataclass
class CompanyRecord:
    """What the test remembers about one company (realm)."""

    parties: dict[DocumentKind, PartyRef] = field(default_factory=dict)
    documents: list[RecordedDocument] = field(default_factory=list)

    def party(self, kind: DocumentKind) -> PartyRef | None:
        return self.parties.get(kind)

    def set_party(self, kind: DocumentKind, party: PartyRef) -> None:
        self.parties[kind] = PartyRef(party.id, party.name)

    def sending(self, kind: DocumentKind) -> RecordedDocument | None:
        return next((d for d in self.documents if d.kind == kind and d.state == "sending"), None)

    def to_yaml(self) -> dict[str, Any]:
        data: dict[str, Any] = {}
        for kind in DOCUMENT_KINDS:
            party = self.parties.get(kind)
            if party is not None:
                data[_party_key(kind)] = {"id": party.id, "name": party.name}
        data["documents"] = [d.to_yaml() for d in self.documents]
        return data


def _party_key(kind: DocumentKind) -> str:
    """The record's key for a kind's party: `customer` or `vendor`."""
    return line_kind(kind).party_entity.lower()


def record_path(profile_name: str) -> Path:
    """`test-documents.yaml` in the profile folder."""
    return profile_dir(profile_name) / RECORD_FILE


def text_value(value: object) -> str | None:
    if value is None or isinstance(value, (bool, dict, list)):
        return None
    text = str(value).strip()
    return text or None


def number_value(value: object) -> float | None:
    if isinstance(value, bool):
        return None
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


def _read_party(path: Path, raw: object, where: str) -> PartyRef | None:
    if raw is None:
        return None
    ident = text_value(raw.get("id")) if isinstance(raw, dict) else None
    if not isinstance(raw, dict) or ident is None:
        raise ConfigFileError(path, f"'{where}' should be {{id: …, name: …}}")
    return PartyRef(ident, text_value(raw.get("name")) or "")


def _read_parties(path: Path, raw: dict[Any, Any], where: str) -> dict[DocumentKind, PartyRef]:
    parties = {}
    for kind in DOCUMENT_KINDS:
        key = _party_key(kind)
        party = _read_party(path, raw.get(key), f"{where}.{key}")
        if party is not None:
            parties[kind] = party
    return parties


def _read_document(path: Path, raw: object, where: str) -> RecordedDocument:
    if not isinstance(raw, dict):
        raise ConfigFileError(path, f"'{where}' should describe one test document")
    kind, state, cleanup = raw.get("kind"), raw.get("state"), raw.get("cleanup", "wanted")
    request_id = text_value(raw.get("request_id"))
    if kind not in DOCUMENT_KINDS or state not in ("sending", "posted") or not request_id:
        raise ConfigFileError(path, f"'{where}' needs kind, state and request_id")
    if state == "posted" and text_value(raw.get("id")) is None:
        raise ConfigFileError(path, f"'{where}' is posted but has no id")
    return RecordedDocument(
        kind=kind,
        request_id=request_id,
        state=state,
        cleanup="keep" if cleanup == "keep" else "wanted",
        line_id=text_value(raw.get("line_id")) or "",
        started_at=text_value(raw.get("started_at")) or "",
        id=text_value(raw.get("id")),
        number=text_value(raw.get("number")),
        amount=number_value(raw.get("amount")),
        currency=text_value(raw.get("currency")),
    )


def load_record(profile_name: str) -> dict[str, CompanyRecord]:
    """What the test remembers, per realm ID (empty when nothing was ever posted)."""
    path = record_path(profile_name)
    data = read_yaml_mapping(path)
    if not data:
        return {}
    companies = data.get("companies") or {}
    if not isinstance(companies, dict):
        raise ConfigFileError(path, "'companies' should list realm IDs")
    records = {}
    for realm, raw in companies.items():
        if not isinstance(raw, dict):
            raise ConfigFileError(path, f"'companies.{realm}' should hold named values")
        documents = raw.get("documents") or []
        if not isinstance(documents, list):
            raise ConfigFileError(path, f"'companies.{realm}.documents' should be a list")
        records[str(realm)] = CompanyRecord(
            parties=_read_parties(path, raw, f"companies.{realm}"),
            documents=[
                _read_document(path, d, f"companies.{realm}.documents[{i}]")
                for i, d in enumerate(documents)
            ],
        )
    return records


def save_record(profile_name: str, records: dict[str, CompanyRecord]) -> None:
    """Write the record atomically (0600)."""
    data = {
        "format": RECORD_FORMAT,
        "companies": {realm: record.to_yaml() for realm, record in records.items()},
    }
    write_yaml_mapping(record_path(profile_name), data, header=_RECORD_HEADER)


@contextmanager
def exclusive_run(profile_name: str) -> Iterator[None]:
    """One test run per profile at a time (the screen and `qbo-wizard test` may both try)."""
    folder = ensure_private_dir(profile_dir(profile_name))

    def busy() -> DollarCheckAlreadyRunning:
        return DollarCheckAlreadyRunning(
            f"A $1.00 test is already running for profile '{profile_name}' (in another window "
            "or command). Wait for it to finish, then look at its result."
        )

    with ExitStack() as held:
        try:
            held.enter_context(private_lock(folder / LOCK_FILE, 0, busy))
        except ConfigFileError as error:
            # Nothing is sent before its request id is written down, so nothing was posted.
            advice = f"Nothing was posted. {error.advice}"
            raise ConfigFileError(error.path, error.problem, error.line, advice=advice) from error
        yield


def pending_cleanup(profile_name: str, realm_id: str | None = None) -> list[RecordedDocument]:
    """Test documents posted and not yet voided or deleted (for one company, or all)."""
    records = load_record(profile_name)
    chosen = records.values() if realm_id is None else [records.get(realm_id, CompanyRecord())]
    return [d for record in chosen for d in record.documents if d.state == "posted"]
