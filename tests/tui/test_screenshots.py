"""The screenshot script's secret check, and the committed screenshots themselves."""

from __future__ import annotations

from pathlib import Path

from qbo_wizard.simulator.oauth import make_key_sets
from qbo_wizard.tui.screenshots import leaked, visible_text

SCREENSHOTS = Path(__file__).resolve().parents[2] / "screenshots"
CANARY = "CanaryClientId0123456789abcdefghijklmnopqrstu"


def _svg(*lines: str) -> str:
    return "".join(
        f'<text class="r1" x="0" y="{n}">{line.replace(" ", "&#160;")}</text>'
        for n, line in enumerate(lines)
    )


def test_a_secret_wrapped_over_two_lines_is_still_caught() -> None:
    shots = {
        "wrapped": _svg("client_id=" + CANARY[:25], CANARY[25:] + "&scope=…"),
        "masked": _svg("client_id=Cana…qrstu"),
    }
    assert leaked(shots, [CANARY]) == ["wrapped"]
    assert "client_id=Cana…qrstu" in visible_text(shots["masked"])


def test_committed_screenshots_cover_every_step_and_show_no_demo_key() -> None:
    shots = {path.stem: path.read_text() for path in SCREENSHOTS.glob("*.svg")}
    for number in range(1, 10):
        assert any(name.startswith(f"0{number}-") for name in shots), number
    assert any(name.startswith("narrow-") for name in shots)
    # The demo's keys do not depend on the loopback port; the seed makes them the same each run.
    key_sets = make_key_sets(8765, "demo").values()
    secrets = [secret for keys in key_sets for secret in (keys.client_id, keys.client_secret)]
    assert leaked(shots, secrets) == []
