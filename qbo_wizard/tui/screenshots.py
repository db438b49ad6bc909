"""Walk the demo headlessly and write one SVG per screen: `python -m qbo_wizard.tui.screenshots`.

Runs the real wizard against the practice QuickBooks (demo mode: throwaway profile, in-memory
keyring), at 120×40 and, for a few screens, 80×24. Where a person would click Connect in the
browser, a `ConsentingBrowser` does. Before anything is written, every SVG is checked against
every secret the demo used (the keys, and every token the keyring held when a picture was
taken); a match stops the script and writes nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import html
import json
import re
import sys
import threading
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from textual.pilot import Pilot
from textual.widgets import Button, Input, TabbedContent, TextArea

from qbo_wizard.core.profile_store import profile_store
from qbo_wizard.tui.app import WizardApp
from qbo_wizard.tui.launch import DEMO_PROFILE, demo_environment, demo_profile
from qbo_wizard.tui.session import DemoInfo

WIDE = (120, 40)
NARROW = (80, 24)
DEMO_REALM = "9341452962835018"  # the practice US sandbox company

Shots = dict[str, str]
Walk = Callable[[Pilot[Any], Callable[[str], None]], Awaitable[None]]


_SETTLE_ROUNDS = 20
"""Rounds of background jobs `settle` waits out: far more than any screen chains."""


async def settle(pilot: Pilot[Any]) -> None:
    """Let screens mount and every background job (saves, checks, sign-ins) finish.

    The orchestrating "wizard" worker runs until the user quits, so it is not waited for.
    Input cursors stop blinking, so two pictures of the same screen are identical.
    """
    await pilot.pause()
    # A finished job may start another (lists loaded → suggestions), so wait until none is left.
    for _ in range(_SETTLE_ROUNDS):
        running = [
            worker
            for worker in pilot.app.workers
            if worker.group != "wizard" and not worker.is_finished
        ]
        if not running:
            break
        for worker in running:
            await worker.wait()
        await pilot.pause()
    await pilot.pause()
    for field in pilot.app.screen.query(Input):
        field.cursor_blink = False


async def run_walk(
    app: WizardApp, size: tuple[int, int], walk: Walk, secrets: set[str] | None = None
) -> Shots:
    """Run `app` headlessly at `size`; `walk` calls `shoot(name)` for each picture.

    Every token in the keyring when a picture is taken is added to `secrets`.
    """
    shots: Shots = {}
    async with app.run_test(size=size) as pilot:

        def shoot(name: str) -> None:
            shots[name] = app.export_screenshot(title="qbo-wizard")
            if secrets is not None:
                secrets.update(stored_tokens())

        await settle(pilot)
        await walk(pilot, shoot)
    return shots


def _demo_app(info: DemoInfo, **options: Any) -> WizardApp:
    from qbo_wizard.simulator.browser import ConsentingBrowser

    profile = (
        profile_store(DEMO_PROFILE).read() if options.pop("saved", False) else demo_profile(info)
    )
    app = WizardApp(profile, demo=info, over_ssh=False, **options)
    browser = ConsentingBrowser(DEMO_REALM, only_under=info.simulator_url or "")
    app.open_url = browser.open  # type: ignore[method-assign]
    return app


async def walk_first_run(pilot: Pilot[Any], shoot: Callable[[str], None]) -> None:
    """Steps 1–9 of a first run, with a few ticks, the keys and a loopback sign-in."""
    shoot("01-overview")
    await pilot.press("n")
    await settle(pilot)
    for item in ("sign-in", "new-app", "accounting-scope"):
        pilot.app.screen.query_one(f"#tick-{item}").focus()
        await pilot.press("space")
    await pilot.press("home")
    await settle(pilot)
    shoot("02-create-app")
    for name in ("03-questionnaire", "04-production-settings", "05-credentials"):
        await pilot.press("n")
        await settle(pilot)
        shoot(name)
    await pilot.press("ctrl+s")
    await settle(pilot)
    shoot("05-credentials-saved")
    await pilot.press("n")
    await settle(pilot)
    shoot("06-connect")
    await pilot.click("#use-paste-url")
    await pilot.press("o")
    await settle(pilot)
    shoot("06-connect-paste-address")
    await pilot.click("#use-loopback")
    await pilot.press("o")
    await settle(pilot)
    shoot("06-connect-connected")
    await pilot.press("n")
    await settle(pilot)
    await walk_mapping(pilot, shoot)
    await press_then_shoot(pilot, shoot, "n", "08-test")
    await press_then_shoot(pilot, shoot, "r", "08-test-passed")
    # The practice vendor's hand-off is offered; the walk leaves it for later ("Not now"), so
    # the status home pictures still show a connection this computer holds.
    await press_then_shoot(pilot, shoot, "n", "08-handoff")
    await press_then_shoot(pilot, shoot, "escape", "09-troubleshoot")
    await open_tab(pilot, "tab-explain")
    pilot.app.screen.query_one("#error-text", TextArea).text = SAMPLE_ERROR
    await pilot.click("#explain")
    await settle(pilot)
    shoot("09-troubleshoot-explain")
    await open_tab(pilot, "tab-bundle")
    await pilot.click("#make-bundle")
    await settle(pilot)
    shoot("09-troubleshoot-bundle")
    await pilot.press("g")
    await settle(pilot)
    shoot("12-go-to-step")
    await pilot.press("escape", "q")


async def walk_mapping(pilot: Pilot[Any], shoot: Callable[[str], None]) -> None:
    """Step 7: choose the freight profile, accept the suggestions, look in a picker, save."""
    shoot("07-map-integration")
    await pilot.press("enter")  # the first choice: freight brokerage
    await settle(pilot)
    shoot("07-map")
    await pilot.press("a")  # three lines need a new Service item: confirm creating them
    await settle(pilot)
    shoot("07-map-create-items")
    await pilot.press("y")
    await settle(pilot)
    pilot.app.clear_notifications()
    shoot("07-map-suggestions-accepted")
    for _ in range(9):  # down to the first bill line, Carrier linehaul
        await pilot.press("down")
    await pilot.press("enter")
    await settle(pilot)
    for key in "pay":
        await pilot.press(key)
    await settle(pilot)
    shoot("07-map-picker")
    await pilot.press("escape")
    await pilot.press("ctrl+s")
    await settle(pilot)
    shoot("07-map-saved")


async def walk_rehearsal(pilot: Pilot[Any], shoot: Callable[[str], None]) -> None:
    """Support rehearses a password change in demo mode; the status home turns red."""
    await pilot.press("h")
    await settle(pilot)
    await open_tab(pilot, "tab-rehearse")
    await pilot.click("#scenario-password-change")
    await settle(pilot)
    shoot("14-rehearse-failures")
    await press_then_shoot(pilot, shoot, "s", "15-status-home-after-password-change")
    await pilot.press("q")


async def walk_handoff(pilot: Pilot[Any], shoot: Callable[[str], None]) -> None:
    """From the status home, the practice vendor's hand-off as ticket text, opened again."""
    from textual.widgets import Button

    await press_then_shoot(pilot, shoot, "v", "16-handoff")
    await pilot.click("#as-text")
    pilot.app.screen.query_one("#handoff-seal", Button).press()
    await settle(pilot)
    shoot("16-handoff-sealed")
    pilot.app.screen.query_one("#handoff-open-again", Button).press()
    await settle(pilot)
    shoot("16-handoff-opened")
    pilot.app.screen.query_one("#handoff-finish", Button).press()
    await settle(pilot)
    shoot("16-status-home-handed-off")
    await pilot.press("q")


async def press_then_shoot(
    pilot: Pilot[Any], shoot: Callable[[str], None], key: str, name: str
) -> None:
    """Press one key, let the screen settle, take the named picture."""
    await pilot.press(key)
    await settle(pilot)
    shoot(name)


# A carrier bill refused by QuickBooks, as an integration's log shows it.
SAMPLE_ERROR = (
    "2026-02-01 10:05:12 ERROR bill export failed: status=400 intuit_tid=1-65c2a6f3-0b7d3e5c "
    '{"Fault":{"Error":[{"Message":"A business validation error has occurred while processing '
    'your request","Detail":"Business Validation Error: You can\'t use Accounts Payable (A/P) '
    'accounts like \\"Accounts Payable (A/P)\\" on the lines of a bill.","code":"6000",'
    '"element":""}],"type":"ValidationFault"}}'
)


async def open_tab(pilot: Pilot[Any], pane_id: str) -> None:
    """Click a tab's heading on step 9, as a user does."""
    pilot.app.screen.query_one("#step-content").scroll_home(animate=False)
    await pilot.pause()
    await pilot.click(f"#--content-tab-{pane_id}")
    await settle(pilot)


async def walk_status_home(pilot: Pilot[Any], shoot: Callable[[str], None]) -> None:
    """A re-run of the configured demo profile opens on its status home."""
    shoot("10-status-home")
    await pilot.press("a")
    await settle(pilot)
    shoot("13-new-app-question")
    await pilot.press("n", "q")


async def walk_presenter(pilot: Pilot[Any], shoot: Callable[[str], None]) -> None:
    shoot("11-status-home-presenter")
    await pilot.press("q")


def narrow_walk(*names: tuple[tuple[str, ...], str]) -> Walk:
    """Press each group of keys, then take the named picture, in turn."""

    async def walk(pilot: Pilot[Any], shoot: Callable[[str], None]) -> None:
        for keys, name in names:
            for key in keys:
                await pilot.press(key)
                await settle(pilot)
            shoot(name)
        await pilot.press("q")

    return walk


async def walk_narrow_results(pilot: Pilot[Any], shoot: Callable[[str], None]) -> None:
    """A first run at 80×24 by keys alone: each picture is taken right after the action, so it
    shows whether the action's result is in view without scrolling."""
    await press_then_shoot(pilot, shoot, "5", "narrow-05-credentials")
    await press_then_shoot(pilot, shoot, "ctrl+s", "narrow-05-credentials-saved")
    await pilot.press("n")
    await settle(pilot)
    await press_then_shoot(pilot, shoot, "o", "narrow-06-connect-connected")
    await pilot.press("n")
    await settle(pilot)
    for key in ("enter", "a", "y"):
        await pilot.press(key)
        await settle(pilot)
    await press_then_shoot(pilot, shoot, "ctrl+s", "narrow-07-map-saved")
    await pilot.press("n")
    await settle(pilot)
    await press_then_shoot(pilot, shoot, "r", "narrow-08-test-passed")
    await pilot.press("9")
    await settle(pilot)
    shoot("narrow-09-troubleshoot-checked")
    pilot.app.screen.query_one(TabbedContent).active = "tab-bundle"
    await settle(pilot)
    pilot.app.screen.query_one("#make-bundle", Button).press()
    await settle(pilot)
    shoot("narrow-09-troubleshoot-bundle")
    await pilot.press("q")


async def shoot_practice_starting(info: DemoInfo) -> Shots:
    """Step 5's frame while demo mode's practice QuickBooks is still starting.

    The practice QuickBooks here is the one already running; its "start" waits until the
    picture is taken, so the wizard shows what it shows when a user is quicker than the start.
    """
    from qbo_wizard.core.profile import Profile
    from qbo_wizard.tui.screens.base import WaitingStepScreen

    shown = threading.Event()

    def start_when_shown() -> tuple[str, dict[str, str]]:
        shown.wait(30)
        return info.simulator_url or "", dict(info.prefill)

    starting = DemoInfo(home=info.home, start_simulator=start_when_shown)
    profile = Profile(name="demo-start", environment="simulator", key_set="development")
    app = WizardApp(profile, demo=starting, over_ssh=False)
    async with app.run_test(size=WIDE) as pilot:
        while len(app.screen_stack) < 2:  # the flow pushes step 1 from its worker
            await pilot.pause()
        await pilot.press("5")
        while not isinstance(app.screen, WaitingStepScreen):
            await pilot.pause()
        shot = app.export_screenshot(title="qbo-wizard")
        shown.set()
        await settle(pilot)
        await pilot.press("q")
    return {"05-credentials-starting": shot}


async def take_all() -> tuple[Shots, list[str]]:
    """Every picture, and every secret the demo used (to check the pictures against)."""
    shots: Shots = {}
    with demo_environment() as info:
        secrets = set(info.prefill.values())
        shots |= await run_walk(_demo_app(info), WIDE, walk_first_run, secrets)
        shots |= await run_walk(_demo_app(info, saved=True), WIDE, walk_status_home, secrets)
        presenting = _demo_app(info, saved=True, presenter=True)
        shots |= await run_walk(presenting, WIDE, walk_presenter, secrets)
        shots |= await run_walk(
            _demo_app(info, saved=True),
            NARROW,
            narrow_walk(
                ((), "narrow-10-status-home"),
                (("s", "6"), "narrow-06-connect"),
                (("7",), "narrow-07-map"),
                (("2",), "narrow-02-create-app"),
                (("8",), "narrow-08-test"),
                (("9",), "narrow-09-troubleshoot"),
            ),
            secrets,
        )
        shots |= await run_walk(_demo_app(info, saved=True), WIDE, walk_rehearsal, secrets)
        shots |= await shoot_practice_starting(info)
        secrets.update(demo_secrets(info))
    with demo_environment() as info:  # a first run of its own, from step 1
        secrets.update(info.prefill.values())
        shots |= await run_walk(_demo_app(info), NARROW, walk_narrow_results, secrets)
        # The hand-off needs a connection QuickBooks still accepts (no rehearsed failure).
        shots |= await run_walk(_demo_app(info, saved=True), WIDE, walk_handoff, secrets)
        secrets.update(demo_secrets(info))
    return shots, sorted(secret for secret in secrets if secret)


def demo_secrets(info: DemoInfo) -> list[str]:
    """The demo's keys and every token in its keyring."""
    secrets = [*info.prefill.values(), *stored_tokens()]
    return [secret for secret in secrets if secret]


def stored_tokens() -> list[str]:
    """The tokens the demo profile's keyring entry holds right now."""
    from qbo_wizard.core.connection.keyring_entries import TOKENS_ENTRY
    from qbo_wizard.core.connection.vault import Vault

    stored = Vault(DEMO_PROFILE).get(TOKENS_ENTRY)
    if not stored:
        return []
    return [v for v in json.loads(stored).values() if isinstance(v, str) and len(v) > 20]


SVG_TAG = re.compile(r"<[^>]+>")
WINDOW = 12  # a wrapped secret still shows runs this long on each line


def visible_text(svg: str) -> str:
    """The characters an SVG screenshot draws, in order (markup and spacing removed)."""
    return html.unescape(SVG_TAG.sub("", svg)).replace("\xa0", " ")


def shows_secret(svg: str, secret: str) -> bool:
    """True if any `WINDOW`-long run of `secret` is drawn (catches secrets wrapped over lines)."""
    text = visible_text(svg)
    return any(secret[i : i + WINDOW] in text for i in range(len(secret) - WINDOW + 1))


def leaked(shots: Shots, secrets: list[str]) -> list[str]:
    """Names of the pictures that show any part of any of `secrets`."""
    return sorted(name for name, svg in shots.items() if any(shows_secret(svg, s) for s in secrets))


def main(argv: list[str] | None = None) -> int:
    """Write the screenshots; exit 1 (writing nothing) if a secret would appear in one."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("screenshots"), help="target folder")
    args = parser.parse_args(argv)
    shots, secrets = asyncio.run(take_all())
    bad = leaked(shots, secrets)
    if bad:
        print(f"A secret appears in: {', '.join(bad)}. Nothing was written.", file=sys.stderr)
        return 1
    args.out.mkdir(parents=True, exist_ok=True)
    for name, svg in sorted(shots.items()):
        (args.out / f"{name}.svg").write_text(svg, encoding="utf-8")
    print(f"Wrote {len(shots)} screenshots to {args.out}/ (checked against {len(secrets)} secrets)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
