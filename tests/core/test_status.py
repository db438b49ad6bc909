"""The status report behind the status home: one verdict and one line of why per area."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest

from qbo_wizard.core.health.area_status import AreaStatus, StatusOptions
from qbo_wizard.core.health.doctor import run_doctor
from qbo_wizard.core.health.status import STATUS_CHECKS, status_report
from qbo_wizard.core.profile import Profile
from qbo_wizard.simulator.companies import US_REALM
from qbo_wizard.simulator.server import SimulatorServer
from tests.connected import connected_profile, save_suggested_mapping
from tests.request_clock import RequestClock


def _by_area(profile: Profile, **options: object) -> dict[str, AreaStatus]:
    report = status_report(profile, StatusOptions(**options))  # type: ignore[arg-type]
    return {s.area: s for s in report}


def test_fresh_profile_is_red_everywhere_with_the_fixing_step() -> None:
    report = _by_area(Profile(name="fresh"))
    assert list(report) == list(STATUS_CHECKS)
    assert all(s.verdict == "problem" for s in report.values())
    assert report["credentials"].fix_step == "credentials"
    assert report["mapping"].fix_step == "map"


def test_connected_profile_is_green_live(simulator: SimulatorServer) -> None:
    profile = connected_profile(simulator, last_test={"ok": True, "at": "2026-02-01T10:05:00Z"})
    save_suggested_mapping()
    report = _by_area(profile, live=True)
    assert {s.verdict for s in report.values()} == {"ok"}, report
    assert f"(realm {US_REALM}) answered just now" in report["connection"].why
    assert "client ID AB" in report["credentials"].why
    shortened = _by_area(profile, short_ids=True)["connection"].why
    assert f"(realm …{US_REALM[-4:]})" in shortened
    assert US_REALM not in shortened


def test_revoked_connection_asks_for_a_reconnect(simulator: SimulatorServer) -> None:
    profile = connected_profile(simulator)
    simulator.control("scenario", name="password-change", realm_id=US_REALM)
    connection = _by_area(profile, live=True)["connection"]
    assert connection.verdict == "problem"
    assert "reconnect" in connection.why
    assert connection.fix_step == "connect"


def test_a_revoked_connection_leaves_the_mapping_unchecked_in_plain_words(
    simulator: SimulatorServer,
) -> None:
    profile = connected_profile(simulator)
    save_suggested_mapping()
    simulator.control("scenario", name="password-change", realm_id=US_REALM)
    mapping = _by_area(profile, live=True)["mapping"]
    assert mapping.verdict == "unknown"
    assert mapping.why == "Not checked: QuickBooks has to be connected again first."
    assert mapping.fix_step == "connect"
    assert "qbo-wizard login" not in mapping.why  # the screen offers Reconnect instead


def test_unreachable_simulator_is_unknown_not_a_crash(simulator: SimulatorServer) -> None:
    profile = connected_profile(simulator)
    simulator.stop()
    connection = _by_area(profile, live=True)["connection"]
    assert connection.verdict == "unknown"
    assert "\n" not in connection.why


def test_token_expiry_warns_two_weeks_ahead_like_the_doctor(simulator: SimulatorServer) -> None:
    profile = connected_profile(simulator)
    in_80_days = datetime.now(timezone.utc) + timedelta(days=80)  # 20 days left of 100
    assert _by_area(profile, now=in_80_days)["token-expiry"].verdict == "ok"
    in_91_days = datetime.now(timezone.utc) + timedelta(days=91)  # 9 days left
    expiry = _by_area(profile, now=in_91_days)["token-expiry"]
    assert expiry.verdict == "warning"
    assert re.search(r"expires in [89] days", expiry.why) and "any refresh renews" in expiry.why
    doctor = run_doctor("acme", live=False, now=in_91_days.timestamp())
    assert doctor.check("refresh-window").verdict == "warning"  # the same threshold
    later = datetime.now(timezone.utc) + timedelta(days=200)
    expired = _by_area(profile, now=later)["token-expiry"]
    assert expired.verdict == "problem" and "expired on" in expired.why
    assert expired.fix_step == "connect"


def test_one_doctor_run_serves_every_row(
    simulator: SimulatorServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from qbo_wizard.core.health import doctor

    profile = connected_profile(simulator)
    runs: list[object] = []
    real = doctor.run_doctor

    def counted(*args: object, **kwargs: object) -> object:
        runs.append(kwargs.get("only"))
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(doctor, "run_doctor", counted)
    report = _by_area(profile, live=True)
    assert report["connection"].verdict == report["token-expiry"].verdict == "ok"
    assert runs == [doctor.STATUS_CHECK_IDS]


def test_last_test_with_documents_left_to_clean_is_a_warning() -> None:
    profile = Profile(
        name="acme",
        last_test={"ok": True, "at": "2026-02-01T10:05:00Z", "pending_cleanup": True},
    )
    last = _by_area(profile)["last-test"]
    assert last.verdict == "warning"
    assert last.why.startswith("Passed on 01 Feb 2026.")
    assert "still in QuickBooks" in last.why and last.fix_step == "test"


def test_failed_test_says_why() -> None:
    profile = Profile(name="acme", last_test={"ok": False, "summary": "6000 needs a tax code"})
    assert "6000 needs a tax code" in _by_area(profile)["last-test"].why


def explode_with_a_secret(profile: Profile, options: StatusOptions) -> AreaStatus:
    raise RuntimeError("secret-canary-value")


def test_a_broken_check_does_not_hide_the_others(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(STATUS_CHECKS, "mapping", explode_with_a_secret)
    report = _by_area(Profile(name="acme"))
    assert report["mapping"].verdict == "unknown"
    assert "secret-canary-value" not in report["mapping"].why
    assert report["last-test"].verdict == "problem"


def test_a_mapping_broken_in_quickbooks_is_red_with_the_fix(simulator: SimulatorServer) -> None:
    profile = connected_profile(simulator)
    saved = save_suggested_mapping()
    account = saved.lines["carrier-linehaul"].target
    assert account is not None
    assert _by_area(profile, live=True)["mapping"].verdict == "ok"
    simulator.control("set_account_active", realm_id=US_REALM, account_id=account.id, active=False)
    offline = _by_area(profile)["mapping"]  # the lists read last time still show it active
    assert offline.verdict == "ok"
    mapping = _by_area(profile, live=True)["mapping"]
    assert mapping.verdict == "problem" and mapping.fix_step == "map"
    assert mapping.why.startswith("1 line broken. Carrier linehaul:")
    assert f"'{account.name}' is inactive" in mapping.why
    assert "Make it active in QuickBooks" in mapping.why
    # The live check refreshed the saved copy of the lists, so now offline sees it too.
    assert _by_area(profile)["mapping"].verdict == "problem"


def test_an_unreadable_mapping_file_is_named(simulator: SimulatorServer) -> None:
    profile = connected_profile(simulator)
    (profile.folder / "mapping.yaml").write_text("lines: {}\n")
    mapping = _by_area(profile)["mapping"]
    assert mapping.verdict == "problem"
    assert "mapping.yaml" in mapping.why and "integration" in mapping.why


@pytest.mark.simulator_options(throttle=True)
def test_status_rides_out_a_burst_of_throttling(
    simulator: SimulatorServer, request_clock: RequestClock
) -> None:
    """QuickBooks allows 10 requests a second; the status checks wait briefly and retry.

    The wizard's own clients keep under the limit; another program using the same keys (here
    plain requests) need not, and can use up the allowance just before the checks run."""
    import requests

    profile = connected_profile(simulator)
    save_suggested_mapping()
    token = simulator.mint_tokens(US_REALM)["access_token"]
    url = f"{simulator.api_base_url}/company/{US_REALM}/companyinfo/{US_REALM}"
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
    # The limit's clock stands still during the burst, so this second's allowance is used up
    # however slow the machine.
    answers = [requests.get(url, headers=headers, timeout=10).status_code for _ in range(20)]
    assert 429 in answers
    # From here the second passes in real time, as it does for the status checks' real waits.
    request_clock.follow_real_time()
    report = _by_area(profile, live=True)
    assert report["connection"].verdict == "ok", report["connection"].why
    assert report["mapping"].verdict == "ok", report["mapping"].why
