"""Step 8 on screen, against the practice QuickBooks: the plan, the run with live progress,
each document's result or explained failure, the jump to the fixing step, and cleanup."""

from __future__ import annotations

from typing import Any

import pytest
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Button, Input, Static

from qbo_wizard.core.connection.api import QboApi
from qbo_wizard.core.dollar_test.record import pending_cleanup, record_path
from qbo_wizard.core.dollar_test.results import DollarCheckProgress
from qbo_wizard.core.dollar_test.run import run_dollar_check
from qbo_wizard.core.profile import Profile, load_profile
from qbo_wizard.core.progress import journey
from qbo_wizard.simulator.companies import PRODUCTION_REALM, US_REALM
from qbo_wizard.simulator.server import SimulatorServer
from qbo_wizard.tui.outcomes import JumpTo, Reconnect
from qbo_wizard.tui.screens.dollar_test import DollarCheckProgressed
from qbo_wizard.tui.screens.mapping import MappingScreen
from qbo_wizard.tui.screenshots import settle
from qbo_wizard.tui.widgets.explained import FixButton
from qbo_wizard.tui.widgets.status_line import StatusLine
from tests.connected import connected_profile
from tests.core.dollar_test_helpers import connect, map_in_step_7, no_wait, write_mapping

from .conftest import StepHost, demo_info, demo_wizard

US_ITEM, US_ACCOUNT = "Truckload Freight", "Carrier Costs:Linehaul"
SIZE = (120, 40)


def text_of(widget: Widget) -> str:
    """Everything a widget draws as text (its own and its descendants' Statics), in order."""
    parts = [str(widget.render())] if isinstance(widget, Static) else []
    parts += [str(static.render()) for static in widget.query(Static)]
    parts += [str(button.label) for button in widget.query(Button)]
    return " ".join(part for part in parts if part)


def shown(app: Any, selector: str) -> str:
    return text_of(app.screen.query_one(selector))


async def press(pilot: Any, selector: str) -> None:
    """Press a button the way a user does, wherever the step has scrolled it to."""
    pilot.app.screen.query_one(selector, Button).press()
    await settle(pilot)


def status(app: Any, status_id: str) -> str:
    return str(app.screen.query_one(f"#{status_id}", StatusLine).render())


def mapped_us_profile(sim: SimulatorServer, account: str = US_ACCOUNT) -> Profile:
    """Connected to the US practice company, with linehaul and carrier linehaul mapped."""
    connected_profile(sim, current_step="test")
    api = QboApi.for_profile("acme", sleep=no_wait)
    if account == US_ACCOUNT:
        map_in_step_7(api, "acme", US_ITEM, US_ACCOUNT)
    else:
        write_mapping(api, "acme", US_ITEM, account)  # outside step 7: no rules applied
    return load_profile("acme")


async def test_the_test_posts_both_documents_with_live_progress_and_tidies_up(
    simulator: SimulatorServer,
) -> None:
    # The hook sees a message more than once; holding each report keeps its id unique.
    reports: dict[int, Any] = {}

    def watch(message: Message) -> None:
        if isinstance(message, DollarCheckProgressed):
            reports[id(message.progress)] = message.progress

    app = StepHost(mapped_us_profile(simulator), "test", demo=demo_info(simulator))
    async with app.run_test(size=SIZE, message_hook=watch) as pilot:
        await settle(pilot)
        plan = shown(app, "#plan-details")
        assert f"Bluewater Freight Brokers LLC (realm …{US_REALM[-4:]})" in plan
        assert "“Linehaul” → item Truckload Freight" in plan
        assert "“Carrier linehaul” → account Carrier Costs:Linehaul" in plan
        assert not app.screen.query_one("#production-box").display
        await pilot.press("r")
        await settle(pilot)
        assert status(app, "test-status").startswith("✓ Passed")
        invoice, bill = shown(app, "#document-invoice"), shown(app, "#document-bill")
        assert "✓ Invoice QBW-TEST-" in invoice and "1.00 USD" in invoice
        assert "voided (kept at zero for the audit trail)" in invoice
        assert "✓ Bill QBW-TEST-" in bill and "deleted" in bill
        await press(pilot, "#document-invoice .link-button")
        run_again = app.screen.query_one("#run-test", Button)
        assert run_again.label == "Run the test again (r)"
        await settle(pilot)
        assert "Run the test again (r)" in run_again.render_line(run_again.size.height // 2).text
    stages = [progress.stage for progress in reports.values()]
    assert stages == ["company", "customer", "invoice", "vendor", "bill", "void", "delete"]
    assert app.opened and app.opened[0].startswith(f"{simulator.url}/app/invoice?txnId=")
    saved = load_profile("acme")
    assert saved.last_test["ok"] is True and saved.step_state("test") == "done"
    assert app.session.profile.last_test == saved.last_test  # the screen took over the result
    assert pending_cleanup("acme") == []


async def test_a_bill_refused_with_6000_is_explained_and_jumps_to_its_mapping_line(
    simulator: SimulatorServer,
) -> None:
    app = StepHost(mapped_us_profile(simulator, "Accounts Payable (A/P)"), "test")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        assert status(app, "test-status").startswith("✗ The test did not pass")
        assert "✓ Invoice QBW-TEST-" in shown(app, "#document-invoice")
        bill = shown(app, "#document-bill")
        assert "✗ Bill · line “Carrier linehaul”: A bill line is mapped to Accounts" in bill
        assert "(error 6000)" in bill and "QuickBooks said:" in bill
        assert "expense or cost of goods sold account" in bill  # the fix, as steps
        assert "Intuit's reference (intuit_tid): 1-" in bill
        fix = app.screen.query_one("#document-bill FixButton", FixButton)
        assert str(fix.label) == "Fix it in step 7 · Map your line items (Carrier linehaul)"
        await press(pilot, "#document-bill FixButton")
    assert app.outcomes == [JumpTo("map", "carrier-linehaul")]


async def test_a_real_company_needs_its_name_typed_before_anything_is_posted(
    simulator: SimulatorServer,
) -> None:
    api = connect(simulator, "live", PRODUCTION_REALM, key_set="production")
    map_in_step_7(api, "live", US_ITEM, US_ACCOUNT)
    app = StepHost(load_profile("live"), "test")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "a REAL company" in shown(app, "#plan-company")
        warning = shown(app, "#production-warning")
        assert "'Harbor Point Freight Inc' is a real QuickBooks company" in warning
        assert "voided" in warning and "deleted" in warning
        await pilot.press("r")  # nothing typed yet
        await settle(pilot)
        problem = shown(app, "#confirm-problem")
        assert problem.startswith("That is not the company's name: type Harbor Point Freight Inc")
        assert app.focused is app.screen.query_one("#confirm-name")
        await pilot.press(*"Harbor", "enter")
        await settle(pilot)
        assert "That is not the company's name" in shown(app, "#confirm-problem")
        assert not record_path("live").exists()  # nothing was sent
        app.screen.query_one("#confirm-name", Input).value = " harbor point FREIGHT inc"
        await pilot.press("enter")
        await settle(pilot)
        assert shown(app, "#confirm-problem") == ""
        assert status(app, "test-status").startswith("✓ Passed")


async def test_documents_left_by_an_interrupted_run_are_offered_for_cleanup_first(
    simulator: SimulatorServer,
) -> None:
    mapped_us_profile(simulator)

    def stop_at_cleanup(step: DollarCheckProgress) -> None:
        if step.stage == "void":
            raise KeyboardInterrupt  # the window was closed mid-test

    with pytest.raises(KeyboardInterrupt):
        run_dollar_check("acme", on_progress=stop_at_cleanup)
    left = pending_cleanup("acme")
    app = StepHost(load_profile("acme"), "test")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        box = app.screen.query_one("#pending-box")
        assert box.display
        for document in left:
            assert f"{document.kind} {document.number}" in shown(app, "#pending-box")
        assert "Running the test finishes their cleanup first" in shown(app, "#pending-box")
        await pilot.press("c")
        await settle(pilot)
        assert status(app, "test-status") == "✓ Cleanup finished: nothing is left from the test."
        results = shown(app, "#test-results")
        assert "voided (kept at zero for the audit trail)" in results and "deleted" in results
        assert not box.display
        assert "c" not in {k for k, b in app.screen.active_bindings.items() if b.enabled}
    assert pending_cleanup("acme") == []


async def test_kept_documents_stay_until_cleaned_up_from_the_screen(
    simulator: SimulatorServer,
) -> None:
    app = StepHost(mapped_us_profile(simulator), "test")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.click("#cleanup-choice")  # untick: keep them to look at
        await pilot.press("r")
        await settle(pilot)
        assert status(app, "test-status").startswith("✓ Passed. The test documents stay")
        assert "kept, as asked" in shown(app, "#document-invoice")
        assert "kept on purpose" in shown(app, "#pending-box")
        assert len(pending_cleanup("acme")) == 2
        await pilot.press("c")
        await settle(pilot)
        assert status(app, "test-status").startswith("✓ Cleanup finished")
    assert pending_cleanup("acme") == []
    assert load_profile("acme").last_test["pending_cleanup"] is False


async def test_a_refused_connection_offers_the_reconnect_path(simulator: SimulatorServer) -> None:
    profile = mapped_us_profile(simulator)
    simulator.control("scenario", name="password-change", realm_id=US_REALM)
    app = StepHost(profile, "test")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        plan = shown(app, "#plan-details")
        assert "✗ QuickBooks no longer accepts this connection" in plan
        assert "changed their password" in plan and "keys and mapping are kept" in plan
        assert not app.screen.query_one("#run-controls").display
        await press(pilot, "#plan-details FixButton")
    assert app.outcomes == [Reconnect()]


async def test_an_unreachable_practice_quickbooks_is_said_plainly(
    simulator: SimulatorServer,
) -> None:
    profile = mapped_us_profile(simulator)
    simulator.stop()
    app = StepHost(profile, "test")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "✗ Could not reach the practice QuickBooks" in shown(app, "#plan-details")
        assert status(app, "plan-status").startswith("✗ The test cannot run yet")


async def test_without_a_connection_the_step_points_to_step_6() -> None:
    app = StepHost(Profile(name="acme"), "test")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "connect to a company in step 6 first" in shown(app, "#plan-details")
        assert not app.screen.query_one("#run-controls").display
        await press(pilot, "#plan-details FixButton")
    assert app.outcomes == [JumpTo("connect")]


async def test_the_wizard_carries_the_refused_line_to_step_7(simulator: SimulatorServer) -> None:
    app = demo_wizard(simulator, mapped_us_profile(simulator, "Accounts Payable (A/P)"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("t")  # status home: run the test again
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        await press(pilot, "#document-bill FixButton")
        assert isinstance(app.screen, MappingScreen)
        assert app.screen.table.selected_key == "carrier-linehaul"
        notes = [str(n.message) for n in app._notifications]
        assert "Step 8 reported a problem on the line 'Carrier linehaul'" in " ".join(notes)


async def test_connecting_again_from_step_8_takes_the_reconnect_path(
    simulator: SimulatorServer,
) -> None:
    app = demo_wizard(simulator, mapped_us_profile(simulator))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        simulator.control("scenario", name="takeover", realm_id=US_REALM)
        await pilot.press("t")
        await settle(pilot)
        await press(pilot, "#plan-details FixButton")
        assert str(app.screen.query_one("#banner-title").render()).startswith("Step 6 of 9")
        assert "pick the same company" in str(app.screen.query_one("#reconnect-note").render())
    assert journey(load_profile("acme")) == "reconnect"
