"""Doctor against the practice QuickBooks: each verdict, the skips, the exit codes, the log."""

from __future__ import annotations

from pathlib import Path

import keyring
import pytest
from keyring.backends import fail

from qbo_wizard.core.connection.tokens import TokenSet
from qbo_wizard.core.health.doctor import run_doctor
from qbo_wizard.core.health.doctor_checks import CHECK_IDS
from qbo_wizard.core.health.doctor_report import DoctorProgress, DoctorReport
from qbo_wizard.core.health.errorlog import recent_failures
from qbo_wizard.core.paths import InvalidProfileName
from qbo_wizard.core.problems import EXIT_OK, EXIT_PROBLEM, EXIT_RECONNECT
from qbo_wizard.core.profile import load_profile, save_profile
from qbo_wizard.simulator.server import SimulatorServer
from tests.connection_helpers import US_REALM, keyring_entry
from tests.doctor_helpers import BILL_ACCOUNT, connected, healthy

DAY = 86400.0
LIVE = ("refresh", "company", "environment-live", "mapping")


def verdicts(report: DoctorReport) -> dict[str, str]:
    return {check.id: check.verdict for check in report.checks}


def stored_tokens(profile: str = "acme") -> TokenSet:
    return TokenSet.from_json(keyring_entry(profile) or "")


# --- the four states the issue names -------------------------------------------------------


def test_a_healthy_profile_passes_every_check(simulator: SimulatorServer) -> None:
    healthy(simulator)
    report = run_doctor("acme")
    assert report.exit_code == EXIT_OK and report.result == "ok"
    found = verdicts(report)
    # A fresh access token is not refreshed: Intuit asks apps to refresh only when it is due.
    assert found.pop("refresh") == "skipped"
    assert set(found.values()) == {"ok"}
    assert "Not due" in report.check("refresh").why
    assert report.check("mapping").why == "All 2 mapped lines will post."
    assert recent_failures("acme") == []


def test_chosen_checks_run_with_the_checks_they_need_and_no_others(
    simulator: SimulatorServer,
) -> None:
    healthy(simulator)
    report = run_doctor("acme", only=("company", "hard-limit"))
    needed = ["profile", "keyring", "keys", "tokens", "environment", "refresh-window"]
    assert [c.id for c in report.checks] == [*needed, "hard-limit", "refresh", "company"]
    assert report.exit_code == EXIT_OK
    with pytest.raises(ValueError, match="unknown doctor checks: nonsense"):
        run_doctor("acme", only=("nonsense",))


@pytest.mark.parametrize("scenario", ["password-change", "takeover"])
def test_a_revoked_connection_means_reconnect(simulator: SimulatorServer, scenario: str) -> None:
    healthy(simulator)
    simulator.control("scenario", name=scenario, realm_id=US_REALM)
    report = run_doctor("acme")
    assert report.exit_code == EXIT_RECONNECT and report.result == "reconnect"
    company = report.check("company")
    assert company.verdict == "reconnect"
    assert company.code == "invalid_grant" and company.intuit_tid
    assert company.command == "qbo-wizard login --profile acme" and company.step == "connect"
    # What depends on a working connection waits for it, naming the root cause.
    for later in ("environment-live", "mapping"):
        assert report.check(later).verdict == "skipped"
        assert report.check(later).blocked_by == "company"
    assert report.summary().startswith("Reconnect required: run `qbo-wizard login --profile acme`")
    logged = recent_failures("acme")
    assert [entry["code"] for entry in logged].count("invalid_grant") == 1  # once, not twice
    assert any(entry["intuit_tid"] == company.intuit_tid for entry in logged)


def test_no_usable_keyring_is_a_problem_that_names_the_fix(simulator: SimulatorServer) -> None:
    healthy(simulator)
    keyring.set_keyring(fail.Keyring())
    report = run_doctor("acme")
    assert report.exit_code == EXIT_PROBLEM
    keyring_check = report.check("keyring")
    assert keyring_check.verdict == "problem"
    assert "No usable keyring was found" in keyring_check.why
    ways_forward = " ".join(keyring_check.details)
    assert "dbus-run-session" in ways_forward
    assert "PYTHON_KEYRING_BACKEND=keyrings.cryptfile.cryptfile.CryptFileKeyring" in ways_forward
    for later in ("keys", "tokens", "access-token", *LIVE):
        assert report.check(later).verdict == "skipped"
        assert report.check(later).blocked_by == "keyring"
    assert recent_failures("acme")[0]["code"] == "keyring"


def test_a_deactivated_account_breaks_the_mapping(simulator: SimulatorServer) -> None:
    carrier = healthy(simulator).lines["carrier-linehaul"].target
    assert carrier is not None and carrier.name == BILL_ACCOUNT
    simulator.control("set_account_active", realm_id=US_REALM, account_id=carrier.id, active=False)
    report = run_doctor("acme")
    assert report.exit_code == EXIT_PROBLEM
    mapping = report.check("mapping")
    assert mapping.verdict == "problem" and mapping.step == "map"
    assert mapping.why == "1 line broken."
    assert mapping.details[0].startswith(f"Carrier linehaul → {BILL_ACCOUNT}: ")
    assert mapping.command == "qbo-wizard mapping check --profile acme"
    assert recent_failures("acme")[0]["source"] == "doctor"
    # Run again and again (a scheduler): the same finding is logged once, not every time.
    run_doctor("acme")
    run_doctor("acme")
    doctor_notes = [e for e in recent_failures("acme") if e["source"] == "doctor"]
    assert [e["code"] for e in doctor_notes] == ["mapping"]


# --- expiry, judged offline at a chosen moment ---------------------------------------------


def test_the_100_day_window_warns_in_its_last_two_weeks_and_then_needs_a_reconnect(
    simulator: SimulatorServer,
) -> None:
    connected(simulator)
    ends = stored_tokens().refresh_expires_at
    assert ends is not None
    near = run_doctor("acme", live=False, now=ends - 5 * DAY)
    assert near.check("refresh-window").verdict == "warning"
    assert "expires in 5 days" in near.check("refresh-window").why
    assert near.check("refresh-window").command == "qbo-wizard doctor --refresh --profile acme"
    assert near.exit_code == EXIT_OK  # a warning alone is not a failure
    past = run_doctor("acme", now=ends + DAY)
    assert past.check("refresh-window").verdict == "reconnect"
    assert past.exit_code == EXIT_RECONNECT
    assert past.check("refresh").why == "Skipped until '100-day window' is fixed."


def test_the_5_year_limit_warns_even_though_use_does_not_help(simulator: SimulatorServer) -> None:
    connected(simulator)
    hard = stored_tokens().refresh_hard_expires_at
    assert hard is not None
    report = run_doctor("acme", live=False, now=hard - 3 * DAY)
    assert report.check("hard-limit").verdict == "warning"
    assert "5-year limit in 3 days" in report.check("hard-limit").why
    assert report.check("hard-limit").command == "qbo-wizard login --profile acme"
    assert run_doctor("acme", live=False, now=hard + 1).exit_code == EXIT_RECONNECT


def test_an_expired_access_token_is_not_a_problem(simulator: SimulatorServer) -> None:
    connected(simulator)
    later = stored_tokens().access_expires_at + 60
    report = run_doctor("acme", live=False, now=later)
    assert report.check("access-token").verdict == "ok"
    assert "fetched on next use" in report.check("access-token").why


# --- the live refresh ----------------------------------------------------------------------


def test_forcing_a_refresh_saves_the_new_tokens(simulator: SimulatorServer) -> None:
    connected(simulator)
    before = stored_tokens()
    report = run_doctor("acme", force_refresh=True)
    refresh = report.check("refresh")
    assert refresh.verdict == "ok" and refresh.intuit_tid
    assert stored_tokens().access_token != before.access_token
    assert report.check("company").verdict == "ok"  # with the refreshed token


def test_a_due_refresh_is_made_and_a_refused_one_means_reconnect(
    simulator: SimulatorServer,
) -> None:
    connected(simulator)
    # The stored access token has run out (as after an hour): the refresh is due.
    from qbo_wizard.core.connection.tokens import TokenStore

    TokenStore("acme").save(stored_tokens().expired_access())
    assert run_doctor("acme").check("refresh").verdict == "ok"
    TokenStore("acme").save(stored_tokens().expired_access())
    simulator.control("scenario", name="password-change", realm_id=US_REALM)
    report = run_doctor("acme")
    assert report.check("refresh").verdict == "reconnect"
    assert report.check("company").blocked_by == "refresh"
    assert report.exit_code == EXIT_RECONNECT


# --- offline, missing and damaged profiles -------------------------------------------------


def test_offline_makes_no_calls_and_says_why_live_checks_were_skipped(
    simulator: SimulatorServer,
) -> None:
    healthy(simulator)
    simulator.stop()  # nothing answers now: an offline run must not notice
    report = run_doctor("acme", live=False)
    assert report.exit_code == EXIT_OK and not report.live
    for check_id in LIVE:
        check = report.check(check_id)
        assert check.verdict == "skipped" and "--offline" in check.why


def test_a_profile_that_was_never_set_up(isolated_home: Path) -> None:
    report = run_doctor("nobody")
    assert report.exit_code == EXIT_PROBLEM
    assert "has not been set up" in report.check("profile").why
    assert report.check("keyring").verdict == "ok"  # still worth knowing
    assert not (isolated_home / "profiles" / "nobody").exists()  # no folder made by checking


def test_a_damaged_profile_file_is_named_with_its_line(simulator: SimulatorServer) -> None:
    connected(simulator)
    path = load_profile("acme").path
    path.write_text(path.read_text() + "step_states: [oops\n")
    report = run_doctor("acme")
    profile = report.check("profile")
    assert profile.verdict == "problem"
    assert str(path) in profile.why and ", line " in profile.why
    assert report.check("tokens").blocked_by == "profile"


def test_keys_that_do_not_match_the_environment_are_caught_offline_and_live(
    simulator: SimulatorServer,
) -> None:
    connected(simulator)
    profile = load_profile("acme")
    profile.key_set = "production"  # the stored keys are the development ones
    save_profile(profile)
    report = run_doctor("acme")
    live = report.check("environment-live")
    assert live.verdict == "problem"
    assert "development keys, but the profile says production" in live.why
    profile.environment = "sandbox"
    save_profile(profile)
    offline = run_doctor("acme", live=False).check("environment")
    assert offline.verdict == "problem"
    assert offline.command == "qbo-wizard credentials --key-set production --profile acme"


def test_a_missing_connection_points_at_step_6(simulator: SimulatorServer) -> None:
    from tests.connection_helpers import save_keys

    save_keys(simulator, "acme")
    report = run_doctor("acme")
    tokens = report.check("tokens")
    assert tokens.verdict == "problem" and tokens.step == "connect"
    assert report.check("company").blocked_by == "tokens"


def test_an_unusable_profile_name_is_a_usage_error() -> None:
    with pytest.raises(InvalidProfileName) as caught:
        run_doctor("../etc")
    assert caught.value.exit_code == 2


# --- for the step-9 screen -----------------------------------------------------------------


def test_progress_reports_each_check_starting_and_finishing_in_order(
    simulator: SimulatorServer,
) -> None:
    healthy(simulator)
    seen: list[DoctorProgress] = []
    report = run_doctor("acme", on_progress=seen.append)
    finished = [p for p in seen if p.result is not None]
    assert [p.check_id for p in finished] == list(CHECK_IDS)
    assert [p.result for p in finished] == report.checks
    starts = [p.check_id for p in seen if p.result is None and not p.detail]
    assert starts == list(CHECK_IDS)
    assert any(p.check_id == "mapping" and "records" in p.detail for p in seen)
    assert all(p.total == len(CHECK_IDS) for p in seen)


def test_a_stopped_run_skips_the_remaining_checks(simulator: SimulatorServer) -> None:
    healthy(simulator)
    done: list[str] = []

    def track(progress: DoctorProgress) -> None:
        if progress.result is not None:
            done.append(progress.check_id)

    report = run_doctor("acme", on_progress=track, cancelled=lambda: "tokens" in done)
    assert report.check("tokens").verdict == "ok"
    assert report.check("company").why == "Skipped: the check was stopped."
    assert report.check("mapping").why == "Skipped: the check was stopped."


def test_the_json_shape_is_stable(simulator: SimulatorServer) -> None:
    healthy(simulator)
    data = run_doctor("acme").to_json()
    assert set(data) == {
        "profile",
        "checked_at",
        "live",
        "result",
        "exit_code",
        "summary",
        "checks",
    }
    assert (data["profile"], data["live"], data["result"], data["exit_code"]) == (
        "acme",
        True,
        "ok",
        0,
    )
    assert [c["id"] for c in data["checks"]] == list(CHECK_IDS)
    for check in data["checks"]:
        assert set(check) == {
            "id",
            "title",
            "kind",
            "verdict",
            "why",
            "details",
            "step",
            "command",
            "code",
            "intuit_tid",
            "blocked_by",
        }
        assert check["kind"] in ("offline", "live")
        assert check["verdict"] in ("ok", "warning", "problem", "reconnect", "skipped")
        assert isinstance(check["why"], str) and "\n" not in check["why"]


def test_a_real_secret_service_passes(simulator: SimulatorServer, secret_service: None) -> None:
    profile = "doctor-real-keyring"
    healthy(simulator, profile)
    try:
        report = run_doctor(profile)
        assert report.exit_code == EXIT_OK
        assert report.check("keyring").why == (
            "Reachable: Secret Service (GNOME Keyring or compatible)."
        )
    finally:
        from qbo_wizard.core.connection.oauth import disconnect

        disconnect(profile)  # the Secret Service outlives this test: leave nothing in it
