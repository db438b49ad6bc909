"""Step 6 when Intuit's sign-in page refuses: the refusal is explained (who to contact, what to
do), the loopback port is given back, and the demo's approve key never types into a field."""

from __future__ import annotations

from typing import Any

from textual.widgets import RadioButton

from qbo_wizard.core.connection.callback import port_is_free
from qbo_wizard.simulator.server import SimulatorServer
from qbo_wizard.tui.screens.connect import ConnectScreen
from qbo_wizard.tui.screenshots import settle
from qbo_wizard.tui.widgets.explained import ExplainedProblem
from qbo_wizard.tui.widgets.secret_input import SecretInput

from .conftest import demo_wizard
from .test_dollar_test_screen import mapped_us_profile, press, status, text_of
from .test_every_size import unexpected_problems

ALREADY_PURCHASED = "Another QuickBooks user already has this app connected to the company"


async def sign_in_address_ready(pilot: Any) -> None:
    """Wait until step 6 shows the sign-in address (loopback keeps waiting for the browser,
    so the whole app never settles meanwhile)."""
    screen = pilot.app.screen
    for _ in range(500):
        if isinstance(screen, ConnectScreen) and screen.authorization is not None:
            return
        await pilot.pause()
    raise AssertionError(
        f"no sign-in address; the step says {status(pilot.app, 'connect-status')!r}"
    )


async def choose_method(pilot: Any, method: str) -> None:
    pilot.app.screen.query_one(f"#use-{method}", RadioButton).value = True
    await settle(pilot)


async def rehearse_already_subscribed_then_reconnect(pilot: Any, method: str) -> None:
    """Step 9's rehearsal, then the status home's Reconnect, to step 6's `method`."""
    await settle(pilot)
    await pilot.press("h")
    await settle(pilot)
    await press(pilot, "#scenario-already-purchased")
    await pilot.press("s")
    await settle(pilot)
    await pilot.press("r")
    await settle(pilot)
    assert isinstance(pilot.app.screen, ConnectScreen)
    await choose_method(pilot, method)


def explained_refusal(app: Any) -> str:
    problems = list(app.screen.query(ExplainedProblem))
    assert len(problems) == 1
    return text_of(problems[0])


async def test_already_subscribed_with_loopback_is_explained_and_frees_the_port(
    free_port_simulator: SimulatorServer, no_browser: list[str]
) -> None:
    app = demo_wizard(free_port_simulator, mapped_us_profile(free_port_simulator))
    async with app.run_test(size=(80, 24)) as pilot:
        await rehearse_already_subscribed_then_reconnect(pilot, "loopback")
        screen = app.screen
        await pilot.press("o")
        await sign_in_address_ready(pilot)
        port = screen.authorization.loopback_port  # type: ignore[attr-defined]
        await pilot.press("escape", "a")
        await settle(pilot)  # the loopback wait ends too: nothing is left running
        assert unexpected_problems(app) == []
        assert status(app, "connect-status").startswith(
            "✗ Intuit's sign-in page refused the connection"
        )
        said = explained_refusal(app)
        assert ALREADY_PURCHASED in said
        assert "Contact the person named in the message" in said
        assert "Please contact" in said  # the message itself, with the name, is shown
        assert "Change admin" in said
        assert port_is_free(port)
        problem = app.screen.query_one(ExplainedProblem)
        assert app.screen.query_one("#step-content").can_view_partial(problem)
        await pilot.press("o")  # trying again starts a fresh sign-in on the same port
        await sign_in_address_ready(pilot)
        assert status(app, "connect-status").startswith("… Waiting for you to approve")
        assert list(app.screen.query(ExplainedProblem)) == []
        await pilot.press("x")
        await settle(pilot)
        assert port_is_free(port)


async def test_already_subscribed_with_paste_back_is_explained(
    simulator: SimulatorServer,
) -> None:
    app = demo_wizard(simulator, mapped_us_profile(simulator), over_ssh=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await rehearse_already_subscribed_then_reconnect(pilot, "paste-url")
        await pilot.press("o")
        await settle(pilot)
        await pilot.press("escape", "a")
        await settle(pilot)
        assert unexpected_problems(app) == []
        assert ALREADY_PURCHASED in explained_refusal(app)
        assert app.screen.query_one("#pasted-address", SecretInput).value == ""


async def test_approve_for_me_right_after_the_sign_in_address_never_types_into_the_field(
    simulator: SimulatorServer,
) -> None:
    app = demo_wizard(simulator, mapped_us_profile(simulator), over_ssh=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("r")  # status home: reconnect, on the paste-back method
        await settle(pilot)
        await choose_method(pilot, "paste-url")
        await pilot.press("o")
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        assert unexpected_problems(app) == []
        assert status(app, "connect-status").startswith("✓ Connected to")
