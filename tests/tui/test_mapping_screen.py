"""Step 7 on the practice QuickBooks: the screen pushed on its own, driven from the keyboard.

US (every account type), UK (tax codes on every line) and the 10,000-account company, plus a
mapping broken in QuickBooks after it was saved, and a jump from step 8 to a failing line.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.app import App
from textual.message import Message
from textual.pilot import Pilot
from textual.widgets import Input, OptionList, Static

from qbo_wizard import connection
from qbo_wizard.core.mapping.check import validate_saved_mapping
from qbo_wizard.core.mapping.company_lists import ListProgress, cache_path, cached_company_lists
from qbo_wizard.core.mapping.file import (
    LineMapping,
    SavedRef,
    load_saved_mapping,
    mapping_path,
    save_mapping_file,
)
from qbo_wizard.core.mapping.integrations import choose_integration, chosen_integration
from qbo_wizard.core.profile import Profile, load_profile
from qbo_wizard.simulator.companies import LARGE_REALM, UK_REALM, US_REALM
from qbo_wizard.simulator.server import SimulatorServer
from qbo_wizard.tui.app import WizardApp
from qbo_wizard.tui.outcomes import GoBack, GoNext, JumpTo, StepOutcome
from qbo_wizard.tui.screens.confirm import ConfirmScreen
from qbo_wizard.tui.screens.mapping import MappingScreen
from qbo_wizard.tui.screens.new_item import NewItemScreen
from qbo_wizard.tui.screens.picker import PickerScreen
from qbo_wizard.tui.screenshots import settle, visible_text
from qbo_wizard.tui.session import ProfileWriter, WizardSession
from qbo_wizard.tui.widgets.mapping_loader import ListsProgressed
from qbo_wizard.tui.widgets.mapping_table import LineDetail
from qbo_wizard.tui.widgets.status_line import StatusLine
from tests.connected import connected_profile, save_suggested_mapping

WIDE = (120, 40)
NARROW = (80, 24)
FREIGHT_LINES = 14


class MappingHost(App[None]):
    """A small app with the wizard's styles and breakpoints, showing only step 7."""

    CSS_PATH = WizardApp.CSS_PATH
    HORIZONTAL_BREAKPOINTS = WizardApp.HORIZONTAL_BREAKPOINTS

    def __init__(self, profile: Profile) -> None:
        super().__init__()
        self.session = WizardSession(profile=profile, writer=ProfileWriter(self))
        self.outcomes: list[StepOutcome | None] = []

    def on_mount(self) -> None:
        self.push_screen(MappingScreen("map", self.session), self.outcomes.append)


def host(sim: SimulatorServer, realm_id: str = US_REALM) -> MappingHost:
    """Step 7 for a profile connected to `realm_id` (kept if it is already there)."""
    if load_profile("acme").realm_id != realm_id:
        connected_profile(sim, realm_id=realm_id, current_step="map")
    return MappingHost(load_profile("acme"))


def screen(app: Any) -> MappingScreen:
    assert isinstance(app.screen, MappingScreen), app.screen
    return app.screen


def cell(app: Any, line_id: str, column: str) -> str:
    return str(screen(app).table.get_cell(line_id, column).plain)


def states(app: Any) -> dict[str, str]:
    draft = screen(app).draft
    assert draft is not None
    return {line_id: cell(app, line_id, "state") for line_id in draft.choices}


def detail(app: Any) -> str:
    return str(app.screen.query_one(LineDetail).content)


def status(app: Any) -> str:
    return str(app.screen.query_one("#map-status", StatusLine).render())


def toasts(app: Any) -> str:
    """The notifications on screen, as drawn (run the app with `notifications=True`)."""
    return " ".join(str(toast.render()) for toast in app.screen.query("Toast"))


def save_mapping_with_payable(sim: SimulatorServer) -> None:
    """A saved US mapping whose carrier linehaul posts to Accounts Payable (as if hand-edited)."""
    connected_profile(sim, current_step="map")
    saved = save_suggested_mapping()
    lists = cached_company_lists("acme", US_REALM)
    assert lists is not None
    (payable,) = [a for a in lists.accounts if a.name == "Accounts Payable (A/P)"]
    target = SavedRef(payable.id, payable.full_name, payable.account_type)
    saved.lines["carrier-linehaul"] = LineMapping("carrier-linehaul", "bill", target)
    save_mapping_file(mapping_path("acme"), saved)


async def start_freight(pilot: Pilot[Any]) -> None:
    """Choose the freight brokerage profile (the first choice) and wait for the lists."""
    await settle(pilot)
    assert screen(pilot.app).panes.current == "pane-choose"
    await pilot.press("enter")
    await settle(pilot)
    assert screen(pilot.app).panes.current == "pane-table"


async def open_picker(pilot: Pilot[Any], line_id: str) -> PickerScreen:
    screen(pilot.app).table.select_line(line_id)
    await pilot.press("enter")
    await settle(pilot)
    assert isinstance(pilot.app.screen, PickerScreen)
    return pilot.app.screen


def option_texts(picker: PickerScreen, *, enabled: bool) -> list[str]:
    options = picker.query_one(OptionList)
    found = []
    for position in range(options.option_count):
        option = options.get_option_at_index(position)
        if option.disabled != enabled:
            found.append(str(option.prompt))
    return found


async def type_text(pilot: Pilot[Any], text: str) -> None:
    for character in text:
        await pilot.press("space" if character == " " else character)
    await settle(pilot)


async def test_a_complete_us_mapping_is_saved_and_comes_back(simulator: SimulatorServer) -> None:
    app = host(simulator)
    async with app.run_test(size=WIDE) as pilot:
        await start_freight(pilot)
        assert set(states(app).values()) == {"·"}
        assert "suggested: Truckload Freight" in cell(app, "linehaul", "target")
        await pilot.press("a")  # accept every suggestion; three need a new item
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await settle(pilot)
        assert set(states(app).values()) == {"✓"}
        assert (
            status(app)
            == f"{FREIGHT_LINES} of {FREIGHT_LINES} lines ready; not saved yet (ctrl+s saves)."
        )
        assert cell(app, "linehaul", "posts-to") == "Freight Revenue:Truckload"
        assert cell(app, "carrier-linehaul", "posts-to") == "Cost of Goods Sold"
        assert not mapping_path("acme").exists()  # accepted is not saved
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert status(app).startswith(f"✓ All {FREIGHT_LINES} lines saved in mapping.yaml")
    saved = load_saved_mapping("acme")
    assert saved is not None and saved.realm_id == US_REALM
    assert len(saved.lines) == FREIGHT_LINES
    assert all(entry.target is not None for entry in saved.lines.values())
    assert saved.lines["accessorials"].target.name == "Accessorials (integration)"  # created
    profile = load_profile("acme")
    assert profile.step_state("map") == "done"
    assert chosen_integration(profile) == "freight-brokerage"
    assert validate_saved_mapping(connection("acme"), "acme").ok

    again = host(simulator)
    async with again.run_test(size=WIDE) as pilot:
        await settle(pilot)  # the saved mapping names the integration: no question this time
        assert screen(again).panes.current == "pane-table"
        assert set(states(again).values()) == {"✓"}
        assert not screen(again).dirty
        assert status(again).startswith(f"✓ All {FREIGHT_LINES} lines saved")
        assert cell(again, "accessorials", "target") == "Accessorials (integration)"


async def test_accounts_payable_is_shown_disabled_with_its_reason(
    simulator: SimulatorServer,
) -> None:
    app = host(simulator)
    async with app.run_test(size=WIDE) as pilot:
        await start_freight(pilot)
        picker = await open_picker(pilot, "carrier-linehaul")
        await type_text(pilot, "payable")
        assert not any("Payable" in text for text in option_texts(picker, enabled=True))
        refused = option_texts(picker, enabled=False)
        assert "Accounts a bill line can never use:" in refused
        assert (
            "✗ Accounts Payable (A/P) (Accounts Payable) — a bill line here causes error 6000"
            in refused
        )
        await pilot.press("enter")  # nothing to choose: the picker stays open
        await settle(pilot)
        assert app.screen is picker
        await pilot.press("escape")
        await settle(pilot)
        assert cell(app, "carrier-linehaul", "state") == "·"


async def test_a_saved_line_on_accounts_payable_is_refused_and_not_saved_again(
    simulator: SimulatorServer,
) -> None:
    """A mapping written by hand (or imported) with A/P on a bill line: ✗, reason, no save."""
    save_mapping_with_payable(simulator)
    before = mapping_path("acme").read_bytes()
    app = host(simulator)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        table = screen(app).table
        assert table.selected_key == "carrier-linehaul"  # the broken line is selected on entry
        assert cell(app, "carrier-linehaul", "state") == "✗"
        shown = detail(app)
        assert "is an Accounts Payable account" in shown and "(error 6000)" in shown
        assert "Fix: Pick the expense or cost of goods sold account" in shown
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert status(app).startswith("✗ Not saved: 1 line breaks a rule")
    assert mapping_path("acme").read_bytes() == before
    assert load_profile("acme").step_state("map") == "needs-attention"


async def test_a_uk_company_needs_a_tax_code_on_every_line(simulator: SimulatorServer) -> None:
    app = host(simulator, UK_REALM)
    async with app.run_test(size=WIDE) as pilot:
        await start_freight(pilot)
        assert cell(app, "linehaul", "tax") == "needed"
        await pilot.press("a")
        await settle(pilot)
        await pilot.press("n")  # accept the existing items and accounts; create nothing
        await settle(pilot)
        assert isinstance(app.screen, PickerScreen)  # the tax code is asked for straight away
        await pilot.press("escape")
        await settle(pilot)
        assert cell(app, "carrier-linehaul", "state") == "✗"
        assert "lines need a tax code: press t" in status(app)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "Not saved" in status(app)
        assert "Companies outside the US need a tax code on every line" in detail(app)
        assert not mapping_path("acme").exists()
        await pilot.press("t")
        await settle(pilot)
        assert isinstance(app.screen, PickerScreen)
        await type_text(pilot, "20.0")
        await pilot.press("enter")  # "also on the lines with none yet" is ticked already
        await settle(pilot)
        assert {cell(app, line_id, "tax") for line_id in states(app)} == {"20.0% S"}
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert status(app).startswith("✓ Saved.") and "not mapped yet" in status(app)
    saved = load_saved_mapping("acme")
    assert saved is not None
    taxed = {entry.tax_code.name for entry in saved.lines.values() if entry.tax_code}
    assert taxed == {"20.0% S"}
    assert load_profile("acme").step_state("map") == "needs-attention"  # some lines unmapped


async def test_a_mapping_broken_in_quickbooks_is_flagged_on_entry(
    simulator: SimulatorServer,
) -> None:
    connected_profile(simulator, current_step="map")
    saved = save_suggested_mapping()
    account = saved.lines["carrier-fuel"].target
    assert account is not None
    simulator.control("set_account_active", realm_id=US_REALM, account_id=account.id, active=False)
    app = host(simulator)
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        assert screen(app).table.selected_key == "carrier-fuel"
        assert cell(app, "carrier-fuel", "state") == "✗"
        assert [line for line, glyph in states(app).items() if glyph == "✗"] == ["carrier-fuel"]
        shown = detail(app)
        assert f"'{account.name}' is inactive" in shown
        assert "Fix: Make it active in QuickBooks" in shown
    assert load_profile("acme").step_state("map") == "needs-attention"


async def test_a_line_chosen_right_after_a_resize_stays_chosen(simulator: SimulatorServer) -> None:
    # The table keeps its cursor in view after a resize; that must not undo a move made meanwhile.
    app = host(simulator)
    async with app.run_test(size=NARROW) as pilot:
        await start_freight(pilot)
        table = screen(app).table
        assert table.selected_key != "carrier-linehaul"
        table.on_resize()
        table.select_line("carrier-linehaul")
        await settle(pilot)
        assert table.selected_key == "carrier-linehaul"
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, PickerScreen)
        assert "account" in str(app.screen.query_one("#picker-count", Static).render())


async def test_the_picker_filters_the_10000_account_company(simulator: SimulatorServer) -> None:
    app = host(simulator, LARGE_REALM)
    progress: list[ListProgress] = []

    def record(message: Message) -> None:
        if isinstance(message, ListsProgressed) and message.progress is not None:
            progress.append(message.progress)

    async with app.run_test(size=NARROW, message_hook=record) as pilot:
        await start_freight(pilot)
        # "Reading accounts… 3,000 of 10,000" while the lists loaded, page by page.
        assert ListProgress("Account", 3000, 10_000) in progress
        picker = await open_picker(pilot, "carrier-linehaul")
        count = str(picker.query_one("#picker-count", Static).render())
        assert count.endswith("accounts; showing the first 200: type to narrow the list")
        assert picker.shown_total > 4000
        assert picker.query_one(OptionList).option_count <= 200 + 4
        await type_text(pilot, "lane 0042")
        choices = option_texts(picker, enabled=True)
        assert choices and "Lane 0042" in choices[0]
        assert picker.shown_total < 10
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, MappingScreen)
        assert "Lane 0042" in cell(app, "carrier-linehaul", "target")
        assert cell(app, "carrier-linehaul", "state") == "✓"


async def test_a_service_item_is_created_from_the_picker(simulator: SimulatorServer) -> None:
    app = host(simulator)
    async with app.run_test(size=WIDE, notifications=True) as pilot:
        await start_freight(pilot)
        await open_picker(pilot, "layover")  # no item fits: the suggestion is a new one
        await pilot.press("enter")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, NewItemScreen)
        name = dialog.query_one("#new-item-name", Input)
        assert name.value == "Layover"
        assert str(dialog.query_one("#new-item-account", Static).render()) == "Accessorial Revenue"
        name.value = "Truckload Freight"  # taken: refused in the dialog, nothing lost
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is dialog
        problem = str(dialog.query_one("#new-item-status", StatusLine).render())
        assert "An item named 'Truckload Freight' already exists" in problem
        name.value = "Layover [/] charges"  # shown as typed, never read as markup
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, MappingScreen)
        assert cell(app, "layover", "target") == "Layover [/] charges"
        assert cell(app, "layover", "posts-to") == "Accessorial Revenue"
        assert "Created 'Layover [/] charges' in QuickBooks." in toasts(app)
    items = connection("acme").query_all("Item", where="Name = 'Layover [/] charges'")
    assert [item["Type"] for item in items] == ["Service"]


COURIER = """\
id: courier
name: Same-day courier
lines:
  - id: delivery
    label: Delivery [bold] [EU]
    kind: invoice
    description: The charge per delivery.
    hints: [Freight Revenue]
  - id: driver-pay
    label: Driver pay
    kind: bill
    description: What the contracted driver bills.
    hints: [Carrier Costs]
"""


async def test_the_users_own_integration_file_is_checked_and_used(
    simulator: SimulatorServer, tmp_path: Path
) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text(COURIER.replace("kind: bill", "kind: payment"))
    good = tmp_path / "courier.yaml"
    good.write_text(COURIER)
    app = host(simulator)
    async with app.run_test(size=WIDE, notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("down", "down", "enter")  # "My own integration profile"
        field = app.screen.query_one("#integration-file", Input)
        assert field.has_focus
        field.value = str(broken)
        await pilot.press("enter")
        await settle(pilot)
        assert screen(app).panes.current == "pane-choose"
        problem = str(app.screen.query_one("#integration-problem", Static).render())
        assert "broken.yaml, line 11: the field 'lines[2].kind'" in problem
        field.value = str(good)
        screen(app).highlight_line = "delivery"  # as if step 8 sent the user to this line
        await pilot.press("enter")
        await settle(pilot)
        assert list(states(app)) == ["delivery", "driver-pay"]
        # Words from the user's file are shown as written, never read as markup.
        assert "Delivery [bold] [EU] · invoice line → item" in visible_text(app.export_screenshot())
        assert "problem on the line 'Delivery [bold] [EU]'" in toasts(app)
        assert "Same-day courier" in str(app.screen.query_one("#map-context", Static).render())
        await pilot.press("i")  # change it again: the question comes back, nothing is lost
        await settle(pilot)
        assert screen(app).panes.current == "pane-choose"
        await pilot.press("enter")  # Freight brokerage this time
        await settle(pilot)
        assert len(states(app)) == FREIGHT_LINES
    assert chosen_integration(load_profile("acme")) == "freight-brokerage"


async def test_leaving_with_unsaved_changes_asks_first(simulator: SimulatorServer) -> None:
    app = host(simulator)
    async with app.run_test(size=WIDE) as pilot:
        await start_freight(pilot)
        await pilot.press("u")  # Linehaul: not used
        await settle(pilot)
        assert cell(app, "linehaul", "state") == "–"
        await pilot.press("delete")  # cleared again
        assert cell(app, "linehaul", "state") == "·" and not screen(app).dirty
        await pilot.press("u")
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")  # stay
        await settle(pilot)
        assert isinstance(app.screen, MappingScreen) and app.outcomes == []
        await pilot.press("n", "y")
        await settle(pilot)
        assert app.outcomes == [GoNext()]
    assert not mapping_path("acme").exists()


async def test_step_8_can_open_step_7_on_the_failing_line(simulator: SimulatorServer) -> None:
    connected_profile(simulator, current_step="test")
    save_suggested_mapping()
    app = WizardApp(load_profile("acme"), over_ssh=False)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.press("t")  # the status home's "Run the test again"
        await settle(pilot)
        app.screen.finish(JumpTo("map", line_id="carrier-fuel"))  # type: ignore[attr-defined]
        await settle(pilot)
        assert screen(app).table.selected_key == "carrier-fuel"
        assert any("Carrier fuel surcharge" in n.message for n in app._notifications)
        assert app.session.highlight_line is None


# Pictures at a fixed size; update with `pytest tests/tui/test_mapping_screen.py --snapshot-update`.


def test_snapshot_of_a_refused_line_at_80x24(simulator: SimulatorServer, snap_compare: Any) -> None:
    save_mapping_with_payable(simulator)
    assert snap_compare(host(simulator), terminal_size=NARROW, run_before=settle)


def test_snapshot_of_the_picker_at_80x24(simulator: SimulatorServer, snap_compare: Any) -> None:
    async def type_in_picker(pilot: Pilot[Any]) -> None:
        await start_freight(pilot)
        await open_picker(pilot, "carrier-linehaul")
        await type_text(pilot, "pay")

    assert snap_compare(host(simulator), terminal_size=NARROW, run_before=type_in_picker)


def test_snapshot_of_a_uk_mapping_at_120x40(simulator: SimulatorServer, snap_compare: Any) -> None:
    async def accept(pilot: Pilot[Any]) -> None:
        await start_freight(pilot)
        await pilot.press("a", "n")
        await settle(pilot)
        await type_text(pilot, "20.0")  # the tax code picker opened by itself
        await pilot.press("enter")
        await settle(pilot)
        pilot.app.clear_notifications()

    assert snap_compare(host(simulator, UK_REALM), terminal_size=WIDE, run_before=accept)


async def test_leaving_while_the_lists_load_stops_reading_them(simulator: SimulatorServer) -> None:
    app = host(simulator, LARGE_REALM)
    pages: list[ListProgress] = []

    def leave_after_the_first_page(message: Message) -> None:
        if isinstance(message, ListsProgressed) and message.progress is not None:
            pages.append(message.progress)
            first_page = message.progress.loaded == 1000 and message.progress.entity == "Account"
            if first_page and isinstance(app.screen, MappingScreen):
                app.screen.action_previous_step()  # nine more pages of accounts to go

    async with app.run_test(size=NARROW, message_hook=leave_after_the_first_page) as pilot:
        await settle(pilot)
        await pilot.press("enter")  # start reading 10,000 accounts
        await settle(pilot)
        assert app.outcomes == [GoBack()]
    # Stopped between pages: the lists were never finished, so nothing was cached.
    assert not cache_path("acme").exists()
    assert max(step.loaded for step in pages if step.entity == "Account") < 10_000


async def test_typing_in_an_item_picker_chooses_the_best_match_not_a_new_item(
    simulator: SimulatorServer,
) -> None:
    app = host(simulator)
    async with app.run_test(size=WIDE) as pilot:
        await start_freight(pilot)
        picker = await open_picker(pilot, "fuel-surcharge")
        assert option_texts(picker, enabled=True)[0].startswith("★ Fuel Surcharge")
        await type_text(pilot, "ltl")
        assert option_texts(picker, enabled=True)[0] == "+ Create a new service item 'ltl'…"
        await pilot.press("enter")  # the best match is highlighted, not "create"
        await settle(pilot)
        assert cell(app, "fuel-surcharge", "target") == "LTL Freight"


async def test_an_unreachable_quickbooks_is_explained_while_loading(
    simulator: SimulatorServer,
) -> None:
    app = host(simulator)
    simulator.stop()
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)  # the integrations are listed by the loading thread
        await pilot.press("enter")
        await settle(pilot)
        shown = str(app.screen.query_one("#load-status", StatusLine).render())
        assert shown.startswith("✗ Could not reach the practice QuickBooks (simulator)")
        assert shown.endswith("Press r to try again.")
        await pilot.press("r")  # still unreachable: the same integration is tried again
        await settle(pilot)
        assert screen(app).panes.current == "pane-loading"
        assert "Press r to try again" in str(app.screen.query_one("#load-status").render())


async def test_after_a_failed_load_another_integration_can_still_be_chosen(
    simulator: SimulatorServer,
) -> None:
    """The remembered integration's lists cannot be read: `i` offers every shipped one."""
    app = host(simulator)
    choose_integration(app.session.profile, "freight-brokerage")
    simulator.stop()
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        shown = str(app.screen.query_one("#load-status", StatusLine).render())
        assert shown.startswith("✗ Could not reach the practice QuickBooks (simulator)")
        await pilot.press("i")
        await settle(pilot)
        assert screen(app).panes.current == "pane-choose"
        offered = visible_text(app.export_screenshot())
        assert "Freight brokerage:" in offered
        assert "Professional services:" in offered


async def test_a_mapping_that_cannot_be_written_says_why_and_the_step_keys_work_again(
    simulator: SimulatorServer,
) -> None:
    app = host(simulator)
    async with app.run_test(size=WIDE) as pilot:
        await start_freight(pilot)
        mapping_path("acme").mkdir()  # something in the way of the file: the write fails
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert status(app).startswith("✗ The mapping was not saved.")
        assert "could not be written" in status(app)
        assert not screen(app).busy
        await pilot.press("b")  # leaving is not refused as "still saving"
        await settle(pilot)
    assert app.outcomes == [GoBack()]


async def test_matching_the_lines_after_reading_the_lists_says_so(
    simulator: SimulatorServer, monkeypatch: Any
) -> None:
    """Suggestions on a large company take a second or more: the screen says what it does."""
    import threading

    from qbo_wizard.core.mapping import suggestions

    matching = threading.Event()
    release = threading.Event()
    original = suggestions.suggest_all

    def held_suggest_all(*args: Any) -> Any:
        matching.set()
        release.wait(timeout=60)  # until the test has read the screen
        return original(*args)

    monkeypatch.setattr(suggestions, "suggest_all", held_suggest_all)
    app = host(simulator, LARGE_REALM)
    async with app.run_test(size=NARROW) as pilot:
        await pilot.pause()
        await pilot.press("enter")  # the freight brokerage: read 10,000 accounts
        text = ""
        for _ in range(2000):  # each pause lets the app handle what the reader posted
            await pilot.pause()
            text = str(app.screen.query_one("#load-text", Static).render())
            if matching.is_set() and text.startswith("Matching"):
                break
        release.set()
        assert text == "Matching 14 lines against 10,000 accounts and 10 items…"
        await settle(pilot)
        assert screen(app).panes.current == "pane-table"


async def test_a_long_wait_while_reading_the_lists_says_why(
    simulator: SimulatorServer,
) -> None:
    """QuickBooks answers 429: instead of a still bar, the screen says it retries and when."""
    import threading

    from qbo_wizard.core.connection.api import QboApi

    waiting = threading.Event()
    release = threading.Event()

    def held_sleep(seconds: float) -> None:
        waiting.set()
        release.wait(timeout=60)  # until the test has read the screen
        simulator.control("scenario", name="none", realm_id=US_REALM)

    app = host(simulator)
    async with app.run_test(size=NARROW) as pilot:
        await pilot.pause()
        screen(app).client = QboApi.for_profile("acme", sleep=held_sleep)
        simulator.control("scenario", name="throttle", realm_id=US_REALM)
        await pilot.press("enter")  # the freight brokerage: read the lists
        text = ""
        for _ in range(2000):  # each pause lets the app handle what the reader posted
            await pilot.pause()
            text = str(app.screen.query_one("#load-text", Static).render())
            if waiting.is_set() and "trying again" in text:
                break
        release.set()
        assert text == "QuickBooks asked to slow down; trying again in 15 s…"
        await settle(pilot)
        assert screen(app).panes.current == "pane-table"
