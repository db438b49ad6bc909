"""`qbo-wizard serve` in Debian's Chromium: the demo from step 5 to a passed $1.00 test, and
every guard as a browser meets it.

Each test starts the real `qbo-wizard serve` and drives a real headless Chromium through
chromedriver. The terminal is read from the WebSocket frames (see `terminal.py`); every wait
waits for something on screen or in the browser, never for time. Pictures of each step passed
go to the folder named by QBO_WIZARD_SCREENSHOTS_DIR (a CI artefact), else to a temporary one.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from .terminal import OSC_52, WAIT_SECONDS, Frames, WizardTab, start_chromium, wait_until

ADDRESS = re.compile(r"http://127\.0\.0\.1:(\d+)/\?token=[A-Za-z0-9_-]+")
REBOUND_HOST = "rebind.evil.example"  # a name an attacker points at 127.0.0.1
CLIPBOARD_BEFORE = "what the clipboard held before"
# A shortened address drawn as a link: a browser terminal would open a broken page.
BROKEN_LINK = re.compile(r"https?://\S*…")
SHOTS_ENV_VAR = "QBO_WIZARD_SCREENSHOTS_DIR"


@dataclass
class Served:
    address: str
    port: int

    @property
    def root(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@contextmanager
def serving(home: Path, *options: str, **env: str) -> Iterator[Served]:
    """`qbo-wizard OPTIONS serve --port 0` until the block ends (Ctrl+C, as a user stops it)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "qbo_wizard", *options, "serve", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "QBO_WIZARD_HOME": str(home), **env},
    )
    printed: list[str] = []

    def pump() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            printed.append(line)

    threading.Thread(target=pump, daemon=True).start()
    try:
        match = wait_until("serve printed its address", lambda: ADDRESS.search("".join(printed)))
        yield Served(match.group(0), int(match.group(1)))
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=WAIT_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="module")
def frames() -> Iterator[Frames]:
    """One Chromium for the module; `rebind.evil.example` resolves to this computer in it."""
    driver = start_chromium(host_rules=f"MAP {REBOUND_HOST} 127.0.0.1")
    try:
        yield Frames(driver)
    finally:
        driver.quit()


@pytest.fixture
def shots(tmp_path: Path, request: pytest.FixtureRequest) -> Path:
    chosen = os.environ.get(SHOTS_ENV_VAR)
    folder = (Path(chosen) if chosen else tmp_path) / request.node.name
    return folder


@pytest.fixture
def fresh_window(frames: Frames) -> Iterator[None]:
    """Each test starts in a window of its own and closes every window it opened."""
    driver = frames.driver
    first = driver.current_window_handle
    driver.switch_to.new_window("tab")
    yield
    for handle in driver.window_handles:
        if handle != first:
            driver.switch_to.window(handle)
            driver.close()
    driver.switch_to.window(first)


def clipboard(frames: Frames) -> str:
    """The browser's clipboard (empty while it cannot be read)."""
    text: str = frames.driver.execute_async_script(
        "const done = arguments[0];navigator.clipboard.readText().then(done, () => done(''));"
    )
    return text


def set_clipboard(frames: Frames, text: str) -> None:
    frames.driver.execute_async_script(
        "const done = arguments[1];"
        "navigator.clipboard.writeText(arguments[0]).then(() => done(), () => done());",
        text,
    )
    wait_until("the clipboard took the text", lambda: clipboard(frames) == text)


def page_text(frames: Frames) -> str:
    return str(frames.driver.find_element(By.TAG_NAME, "body").text)


def test_the_demo_passes_its_test_in_the_browser_and_keeps_every_promise(
    tmp_path: Path, frames: Frames, shots: Path, fresh_window: None
) -> None:
    driver = frames.driver
    with serving(tmp_path, "--demo") as served:
        tab = WizardTab.open(frames, served.address, shots)
        # The secret opened the door once; the address bar and the page's scripts lose it.
        assert driver.current_url == f"{served.root}/"
        assert driver.execute_script("return document.cookie") == ""  # HttpOnly
        driver.execute_cdp_cmd(
            "Browser.grantPermissions",
            {
                "origin": served.root,
                "permissions": ["clipboardReadWrite", "clipboardSanitizedWrite"],
            },
        )

        # The clipboard path works for values meant to be pasted (a Copy button on step 2)…
        tab.type("2")
        tab.wait_for("Step 2 of 9")
        set_clipboard(frames, CLIPBOARD_BEFORE)
        tab.scroll_to("Copy")
        tab.click("Copy")
        copied = wait_until(
            "Copy reached the clipboard",
            lambda: (text := clipboard(frames)) not in (CLIPBOARD_BEFORE, "") and text,
        )
        assert copied in tab.text()  # the value shown beside the button

        # …but never for a masked key, in presenter mode or not.
        tab.type("5")
        tab.wait_for("Step 5 of 9", "Client ID")
        tab.shoot("step-5-keys")
        set_clipboard(frames, CLIPBOARD_BEFORE)
        sent_before = len(tab.socket.received)
        tab.scroll_to("••••••")  # below the demo's choice of key set
        tab.click("••••••")  # the client ID field; focusing it selects all of it
        tab.chord(Keys.CONTROL, "c")
        tab.wait_for("Not copied: what is typed in a masked field stays out")
        tab.type(Keys.TAB)  # on to the client secret; the note goes with the field it was for
        wait_until("the note left with its field", lambda: "Not copied" not in tab.text())
        tab.chord(Keys.CONTROL, "c")
        tab.wait_for("Not copied: what is typed in a masked field stays out")  # refused too
        tab.shoot("step-5-nothing-copied")
        assert clipboard(frames) == CLIPBOARD_BEFORE
        assert OSC_52 not in tab.socket.received[sent_before:]

        tab.chord(Keys.CONTROL, "s")
        tab.scroll_to("✓ Intuit accepted the keys")
        tab.shoot("step-5-keys-accepted")
        tab.type(Keys.ESCAPE)  # leave the field, so letters are step keys again
        tab.wait_for("n Next")
        tab.type("n")
        tab.wait_for("Step 6 of 9", "Get the sign-in address")
        tab.type("o")
        tab.scroll_to("Sign-in address ready")
        screen = tab.wait_for("Intuit's sign-in page: 127.0.0.1:")
        assert BROKEN_LINK.search(screen) is None, screen
        tab.type(Keys.ESCAPE)
        tab.wait_for("a Approve (demo)")
        tab.type("a")
        tab.scroll_to("✓ Connected to Bluewater Freight Brokers LLC")
        tab.shoot("step-6-connected")

        tab.type("n")
        tab.wait_for("Step 7 of 9")
        tab.type(Keys.ENTER)  # the freight integration
        tab.wait_for("0 of 14 lines ready")
        tab.type("a")  # accept every suggestion…
        tab.wait_for("Create items in QuickBooks?")
        tab.type("y")  # …creating the three Service items it proposes
        tab.wait_for("14 of 14 lines ready")
        tab.chord(Keys.CONTROL, "s")
        tab.wait_for("All 14 lines saved")
        tab.shoot("step-7-mapped")

        tab.type("n")
        tab.wait_for("Step 8 of 9")
        tab.scroll_to("✓ Ready.")
        tab.type("r")
        tab.scroll_to("✓ Passed: QuickBooks accepted the $1.00 invoice and bill.")
        tab.shoot("step-8-passed")

        # Everything the browser asked for came from this computer (fonts and icon included).
        frames.read()
        assert frames.requests
        outside = [
            url
            for url in frames.requests
            if not url.startswith(("http://127.0.0.1:", "ws://127.0.0.1:", "data:"))
        ]
        assert outside == []
        assert any("/static/fonts/" in url for url in frames.requests)
        assert not any(url.endswith("/favicon.ico") for url in frames.requests)
    assert list(shots.iterdir())


ATTACKER_PAGE = """<!DOCTYPE html><html><body><script>
const socket = new WebSocket("ws://127.0.0.1:{port}/ws?width=80&height=24");
socket.onopen = () => {{ document.title = "opened"; }};
socket.onclose = (event) => {{ if (document.title !== "opened") document.title = "refused"; }};
</script></body></html>"""


@contextmanager
def attacker_page(port: int) -> Iterator[str]:
    """A page on another port of this computer that tries to drive the wizard."""
    page = ATTACKER_PAGE.format(port=port).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # the standard library's name
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            self.wfile.write(page)

        def log_message(self, *args: object) -> None:
            """Quiet."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def test_strangers_pages_and_other_names_are_refused(
    tmp_path: Path, frames: Frames, shots: Path, fresh_window: None
) -> None:
    driver = frames.driver
    with serving(tmp_path, "--demo") as served:
        # Without the secret: a page that says what to do, and no wizard.
        driver.get(f"{served.root}/")
        assert "Open the address printed in the terminal" in page_text(frames)
        WizardTab.shoot_window(driver, shots, "no-secret-refused")
        driver.get(f"{served.root}/?token=not-the-secret")
        assert "Open the address printed in the terminal" in page_text(frames)

        # DNS rebinding: another name for this computer is refused, even with the secret.
        rebound = served.address.replace("127.0.0.1", REBOUND_HOST)
        driver.get(rebound)
        assert "answers only to 127.0.0.1" in page_text(frames)
        assert driver.get_cookies() == []
        WizardTab.shoot_window(driver, shots, "other-host-refused")

        # The person who started it gets in (and the browser now holds the cookie)…
        WizardTab.open(frames, served.address, shots)
        frames.read()
        wizards = len(frames.sockets)

        # …but a page from another port of this computer, which the browser counts as the
        # same site and so sends the cookie, still cannot open the wizard's WebSocket.
        with attacker_page(served.port) as page:
            driver.get(page)
            wait_until("the page's attempt ended", lambda: driver.title in ("opened", "refused"))
            assert driver.title == "refused"
        frames.read()
        attempts = list(frames.sockets.values())[wizards:]
        assert attempts and all(attempt.received == b"" for attempt in attempts)


def test_two_tabs_on_one_profile_never_overwrite_each_other(
    tmp_path: Path, frames: Frames, shots: Path, fresh_window: None
) -> None:
    driver = frames.driver
    # A real profile (not demo mode): each wizard process keeps its keys in memory.
    keyring = {"PYTHON_KEYRING_BACKEND": "qbo_wizard.core.connection.vault.MemoryKeyring"}
    with serving(tmp_path, "--profile", "shared", **keyring) as served:
        first = WizardTab.open(frames, served.address, shots)
        first.wait_for("Step 1 of 9")
        first.shoot("first-tab")

        driver.switch_to.new_window("tab")
        second = WizardTab.open(frames, f"{served.root}/", shots)
        screen = second.wait_for("Profile shared is open in another wizard", "read-only")
        assert "a browser tab served by qbo-wizard serve" in screen and " since " in screen
        wait_until("the status was read", lambda: "Checking…" not in second.text())
        second.shoot("second-tab-read-only")
        assert "n Next" not in screen  # nothing here changes the profile
        second.type("n")  # a step key does nothing
        second.wait_for("read-only")

        # The first tab still works, and what it saves is what the file holds.
        first.type("n")
        first.wait_for("Step 2 of 9")
        profile = tmp_path / "profiles" / "shared" / "profile.yaml"
        wait_until("the first tab saved its step", lambda: "create-app" in profile.read_text())

        # Once the first tab's wizard ends, the profile is free for the next one.
        first.chord(Keys.CONTROL, "q")
        wait_until("the first wizard ended", lambda: "Session ended" in page_text_of(first))
        driver.switch_to.new_window("tab")
        third = WizardTab.open(frames, f"{served.root}/", shots)
        third.wait_for("Step 2 of 9")
        third.shoot("free-again")


def page_text_of(tab: WizardTab) -> str:
    tab.driver.switch_to.window(tab.window)
    return str(tab.driver.find_element(By.TAG_NAME, "body").text)
