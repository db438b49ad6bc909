"""Step 9 on screen: health checks, the error explainer, the support bundle and, in demo mode,
rehearsing failures on the practice QuickBooks."""

from __future__ import annotations

import json
import stat
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Button, Input, TextArea

from qbo_wizard.core.connection.keyring_entries import CLIENT_SECRET, TOKENS_ENTRY
from qbo_wizard.core.connection.vault import Vault
from qbo_wizard.core.health.doctor_checks import CHECK_IDS
from qbo_wizard.core.profile import Profile, load_profile, save_profile
from qbo_wizard.simulator.companies import US_REALM
from qbo_wizard.simulator.server import SimulatorServer
from qbo_wizard.tui.outcomes import JumpTo, Reconnect
from qbo_wizard.tui.practice import RehearsableScenario
from qbo_wizard.tui.screens.troubleshoot import CheckRow
from qbo_wizard.tui.screenshots import leaked, open_tab, settle

from .conftest import StepHost, demo_info
from .test_dollar_test_screen import SIZE, mapped_us_profile, press, shown, status, text_of

AP_FAULT = (
    '{"Fault":{"Error":[{"Message":"A business validation error has occurred while processing '
    'your request","Detail":"Business Validation Error: You can\'t use Accounts Payable (A/P) '
    'accounts like \\"Accounts Payable (A/P)\\" on the lines of a bill.","code":"6000",'
    '"element":""}],"type":"ValidationFault"},"time":"2026-02-01T10:05:00.000-08:00"}'
)
TID = "1-65c2a6f3-0b7d3e5c4a1f2e3d4c5b6a79"


def rows(app: Any) -> dict[str, str]:
    return {row.result.id: row.render_text() for row in app.screen.query(CheckRow)}


async def test_health_checks_run_on_opening_with_a_mark_for_every_verdict(
    simulator: SimulatorServer,
) -> None:
    app = StepHost(mapped_us_profile(simulator), "troubleshoot")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        found = rows(app)
        assert list(found) == list(CHECK_IDS)
        assert found["company"].startswith("✓ Company answers")
        assert found["refresh"].startswith("– Token refresh  Not due")
        assert found["mapping"].startswith("✓ Mapping  All 2 mapped lines will post.")
        assert status(app, "doctor-status") == ("✓ Healthy: 12 of 13 checks passed (1 skipped).")
        first = app.screen.query_one("#check-company", CheckRow)
        await pilot.press("d")  # run them again
        await settle(pilot)
        assert app.screen.query_one("#check-company", CheckRow) is not first
        assert rows(app)["company"].startswith("✓ Company answers")


async def test_presenter_mode_shortens_company_ids_in_the_checks(
    simulator: SimulatorServer,
) -> None:
    app = StepHost(mapped_us_profile(simulator), "troubleshoot", presenter=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert f"(realm …{US_REALM[-4:]})" in rows(app)["company"]
        assert US_REALM not in app.export_screenshot()


async def test_a_revoked_connection_is_marked_reconnect_with_the_way_back(
    simulator: SimulatorServer,
) -> None:
    profile = mapped_us_profile(simulator)
    simulator.control("scenario", name="password-change", realm_id=US_REALM)
    app = StepHost(profile, "troubleshoot")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        company = rows(app)["company"]
        assert company.startswith("↻ Company answers  Intuit no longer accepts the connection")
        assert "Connect again in step 6" in company
        assert rows(app)["mapping"].startswith("– Mapping  Skipped until 'Company answers'")
        assert status(app, "doctor-status").startswith("✗ Reconnect required")
        await press(pilot, "#check-company FixButton")
    assert app.outcomes == [Reconnect()]


async def test_before_connecting_only_this_computer_is_checked() -> None:
    save_profile(Profile(name="acme"))  # as the wizard does on entering a step
    app = StepHost(load_profile("acme"), "troubleshoot")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "only the checks on this computer ran" in status(app, "doctor-status")
        assert rows(app)["profile"].startswith("✓ Profile settings")
        company = rows(app)["company"]
        assert "checked once a company is connected (step 6)" in company
        assert "--" not in company  # the wizard's words, not the command line's
        assert rows(app)["keys"].startswith("✗ App keys  No client ID is saved")
        await press(pilot, "#check-keys FixButton")
    assert app.outcomes == [JumpTo("credentials")]


async def test_a_pasted_error_is_explained_with_a_jump_to_the_fixing_step() -> None:
    save_profile(Profile(name="acme"))
    app = StepHost(load_profile("acme"), "troubleshoot")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_tab(pilot, "tab-explain")
        await press(pilot, "#explain")
        assert status(app, "explain-status") == "✗ Paste an error message into the box first."
        box = app.screen.query_one("#error-text", TextArea)
        box.text = "Our nightly export says: hello world, nothing wrong here."
        await press(pilot, "#explain")
        assert status(app, "explain-status").startswith("✗ No QuickBooks or Intuit error")
        box.text = (
            f"2026-02-01 10:05 POST /v3/company/{US_REALM}/bill failed intuit_tid={TID} {AP_FAULT}"
        )
        await press(pilot, "#explain")
        assert status(app, "explain-status").startswith("✓ Recognised: A bill line is mapped")
        explained = shown(app, "#explanation")
        assert "✗ A bill line is mapped to Accounts Payable" in explained
        assert "(error 6000)" in explained and "Likely causes:" in explained
        assert "1. Open the mapping step" in explained
        assert f"Intuit's reference (intuit_tid): {TID}" in explained
        await press(pilot, "#explanation .copy-tid")
        assert app.clipboard == TID
        await press(pilot, "#explanation FixButton")
    assert app.outcomes == [JumpTo("map")]


async def test_the_support_bundle_is_shown_before_it_is_written_and_holds_no_secret(
    simulator: SimulatorServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    profile = mapped_us_profile(simulator)
    vault = Vault("acme")
    secrets = [vault.get(CLIENT_SECRET) or ""]
    secrets += [v for v in json.loads(vault.get(TOKENS_ENTRY) or "{}").values() if len(str(v)) > 20]
    app = StepHost(profile, "troubleshoot")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_tab(pilot, "tab-bundle")
        assert not app.screen.query_one("#bundle-view").display
        await press(pilot, "#make-bundle")
        text = app.screen.query_one("#bundle-text", TextArea).text
        assert text.startswith("qbo-wizard support bundle")
        assert "Health checks (qbo-wizard doctor)" in text
        assert not any(secret in text for secret in secrets)
        assert leaked({"bundle": app.export_screenshot()}, secrets) == []
        where = Path(app.screen.query_one("#bundle-path", Input).value)
        assert where.parent == tmp_path and where.name.startswith("qbo-wizard-support-acme-")
        assert list(tmp_path.glob("qbo-wizard-support-*")) == []  # nothing written yet
        await press(pilot, "#save-bundle")
        assert status(app, "bundle-status") == (
            f"✓ Saved to {where}. Attach this file to your message to support."
        )
        assert where.read_text() == text
        assert stat.S_IMODE(where.stat().st_mode) == 0o600
        await press(pilot, "#save-bundle")  # the same name again: left as it is
        assert "already exists and was left as it is" in status(app, "bundle-status")
        assert where.read_text() == text


async def test_rehearsals_are_offered_only_in_demo_mode(simulator: SimulatorServer) -> None:
    app = StepHost(mapped_us_profile(simulator), "troubleshoot")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert not app.screen.query("#tab-rehearse")


async def test_the_rehearse_tab_offers_what_the_practice_quickbooks_lists(
    simulator: SimulatorServer,
) -> None:
    """The buttons come from the practice QuickBooks' one list of scenarios (the one
    `/_simulator/info` serves), so a scenario added there is offered without touching the tab."""
    listed = [s["name"] for s in simulator.info["scenarios"] if s["in_demo"]]
    assert [s.name for s in demo_info(simulator).scenarios] == listed
    assert "throttle-xml" not in listed  # only for developers of client code
    demo = demo_info(simulator)
    demo.scenarios = (
        RehearsableScenario("outage", "Intuit outage (503 web pages)", clears=False),
        RehearsableScenario("brand-new", "A fault with no wording of its own yet", clears=False),
    )
    app = StepHost(mapped_us_profile(simulator), "troubleshoot", demo=demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_tab(pilot, "tab-rehearse")
        buttons = [str(button.label) for button in app.screen.query(".scenario-button")]
        assert buttons == ["Intuit outage", "A fault with no wording of its own yet"]


async def test_a_rehearsed_password_change_shows_in_the_checks_and_clears(
    simulator: SimulatorServer,
) -> None:
    app = StepHost(mapped_us_profile(simulator), "troubleshoot", demo=demo_info(simulator))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_tab(pilot, "tab-rehearse")
        names = [s.name for s in app.session.demo.scenarios]
        offered = [str(app.screen.query_one(f"#scenario-{n}", Button).label) for n in names]
        assert offered == [
            "Another admin takes over",
            "Password changed",
            "Already subscribed",
            "Intuit outage",
            "Throttling",
            "Everything normal",
        ]
        what = [text_of(row) for row in app.screen.query(".scenario-row")]
        assert "The user who connected changes their password" in what[1]
        assert "Intuit is down" in what[3]
        await press(pilot, "#scenario-outage")
        assert status(app, "scenario-status").startswith("✓ Now rehearsing: Intuit outage.")
        assert simulator.control("advance_clock", seconds=0)["scenarios"] == {US_REALM: ["outage"]}
        await press(pilot, "#scenario-none")
        assert simulator.control("advance_clock", seconds=0)["scenarios"] == {}
        await press(pilot, "#scenario-password-change")
        await pilot.press("d")
        await settle(pilot)
        assert rows(app)["company"].startswith("↻ Company answers")
        simulator.stop()
        await press(pilot, "#scenario-throttle")
        assert status(app, "scenario-status").startswith(
            "✗ Could not reach the practice QuickBooks (simulator)"
        )


async def test_a_pasted_error_is_shown_with_its_secrets_redacted_and_still_explained() -> None:
    code = "AB11774455992Xyz0a9B8c7D6e5F4g3H2i1J0kLmN"
    token = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJjYW5hcnkifQ.Zm9vYmFyYmF6cXV4cXV1eA"
    pasted = (
        f"GET /callback?code={code}&state=s1&realmId={US_REALM}\n"
        f"Authorization: Bearer {token}\n"
        f"POST /v3/company/{US_REALM}/bill failed intuit_tid={TID} {AP_FAULT}"
    )
    save_profile(Profile(name="acme"))
    app = StepHost(load_profile("acme"), "troubleshoot")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_tab(pilot, "tab-explain")
        box = app.screen.query_one("#error-text", TextArea)
        box.text = pasted
        await settle(pilot)
        assert code not in box.text and token not in box.text
        assert "intuit_tid" in box.text  # what support needs stays readable
        assert leaked({"explain": app.export_screenshot()}, [code, token]) == []
        await press(pilot, "#explain")
        assert status(app, "explain-status").startswith("✓ Recognised: A bill line is mapped")


async def test_presenter_mode_shortens_company_ids_in_the_bundle_preview_only(
    simulator: SimulatorServer,
) -> None:
    app = StepHost(mapped_us_profile(simulator), "troubleshoot", presenter=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_tab(pilot, "tab-bundle")
        await press(pilot, "#make-bundle")
        preview = app.screen.query_one("#bundle-text", TextArea).text
        assert preview.startswith("qbo-wizard support bundle")
        assert US_REALM not in preview and f"…{US_REALM[-4:]}" in preview
        assert US_REALM not in app.export_screenshot()
        await press(pilot, "#copy-bundle")
        assert US_REALM in app.clipboard  # support gets the whole bundle
