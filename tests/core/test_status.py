"""The status report behind the status home: one verdict and one line of why per area."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from qbo_wizard.core import status
from qbo_wizard.core.profile import MAPPING_FILE, Profile
from qbo_wizard.core.status import STATUS_CHECKS, StatusOptions, status_report

NOW = datetime(2026, 3, 1, tzinfo=timezone.utc)


def _by_area(profile: Profile, short_ids: bool = False) -> dict[str, status.AreaStatus]:
    options = StatusOptions(now=NOW, short_ids=short_ids)
    return {s.area: s for s in status_report(profile, options)}


def test_fresh_profile_is_red_everywhere_with_the_fixing_step() -> None:
    report = _by_area(Profile(name="fresh"))
    assert list(report) == list(STATUS_CHECKS)
    assert all(s.verdict == "problem" for s in report.values())
    assert report["credentials"].fix_step == "credentials"
    assert report["mapping"].fix_step == "map"


def test_configured_profile_is_green_everywhere() -> None:
    profile = Profile(
        name="acme",
        client_id_hint="ABcd…wxYZ",
        realm_id="9130354981234",
        company_name="Ridgeline Freight LLC",
        connected_at="2026-02-01T10:00:00+00:00",
        refresh_token_expires_at="2026-06-01T10:00:00Z",
        last_test={"ok": True, "at": "2026-02-01T10:05:00+00:00"},
    )
    profile.folder.mkdir(parents=True)
    (profile.folder / MAPPING_FILE).write_text("lines: {}\n")
    report = _by_area(profile)
    assert {s.verdict for s in report.values()} == {"ok"}
    assert "Ridgeline Freight LLC (realm 9130354981234)" in report["connection"].why
    shortened = _by_area(profile, short_ids=True)["connection"].why
    assert "(realm …1234)" in shortened
    assert "9130354981234" not in shortened


@pytest.mark.parametrize(
    ("expires", "words"),
    [("2026-03-10T00:00:00+00:00", "Expires in 9 days"), ("2026-02-01T00:00:00Z", "Expired")],
)
def test_token_expiry_warns_a_month_ahead(expires: str, words: str) -> None:
    profile = Profile(name="acme", realm_id="1", refresh_token_expires_at=expires)
    expiry = _by_area(profile)["token-expiry"]
    assert expiry.verdict == "problem"
    assert words in expiry.why


def test_failed_test_says_why() -> None:
    profile = Profile(name="acme", last_test={"ok": False, "summary": "6000 needs a tax code"})
    assert "6000 needs a tax code" in _by_area(profile)["last-test"].why


def test_a_broken_check_does_not_hide_the_others(monkeypatch: pytest.MonkeyPatch) -> None:
    def explode(profile: Profile, options: StatusOptions) -> status.AreaStatus:
        raise RuntimeError("secret-canary-value")

    monkeypatch.setattr(status, "check_mapping", explode)
    report = _by_area(Profile(name="acme"))
    assert report["mapping"].verdict == "unknown"
    assert "secret-canary-value" not in report["mapping"].why
    assert report["last-test"].verdict == "problem"
