"""The support bundle reads as a report: labels never run into values, and the last test's
documents are one readable line each, not Python data cut off mid-string."""

from __future__ import annotations

from qbo_wizard.core.health.diagnostics import build_bundle
from qbo_wizard.core.profile import Profile, save_profile

DOCUMENTS = [
    {
        "kind": "invoice",
        "doc_number": "QBW-TEST-2D6101",
        "txn_id": "1",
        "cleanup": "voided",
        "note": "kept at zero for the audit trail " * 10,
    },
    {"kind": "bill", "doc_number": "QBW-TEST-741583", "txn_id": "1", "cleanup": "deleted"},
]


def test_the_bundle_reads_as_a_report() -> None:
    profile = Profile(name="acme")
    profile.last_test = {
        "ok": True,
        "company_name": "Bluewater Freight Brokers LLC",
        "pending_cleanup": False,
        "documents": DOCUMENTS,
    }
    save_profile(profile)
    text = build_bundle("acme", live=False).text
    lines = text.splitlines()
    assert any(line.startswith("last test company name") and " Bluewater" in line for line in lines)
    assert "company_nameBluewater" not in text
    assert any(
        line.startswith("last test pending cleanup") and line.endswith(" False") for line in lines
    )
    assert "{'" not in text and "[{" not in text
    first = next(line for line in lines if line.startswith("last test documents 1"))
    second = next(line for line in lines if line.startswith("last test documents 2"))
    assert "kind invoice, doc number QBW-TEST-2D6101" in first
    assert "kind bill, doc number QBW-TEST-741583, txn id 1, cleanup deleted" in second
