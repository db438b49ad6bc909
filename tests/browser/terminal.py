"""Drive a `qbo-wizard serve` tab in a real Chromium and read its terminal as the user sees it.

The terminal is read from the WebSocket frames themselves (Chrome's performance log carries
every frame through the DevTools protocol) and replayed into `pyte`, a terminal emulator, so
tests wait on text on screen rather than on time. Keys go to xterm.js's hidden text area, the
element a real keyboard types into.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyte
import pytest
from selenium import webdriver
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.actions.wheel_input import ScrollOrigin
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webelement import WebElement

WAIT_SECONDS = 180.0  # generous: two cores shared by many processes
POLL_SECONDS = 0.2  # how often a condition is looked at again (never a synchronisation)
WINDOW = (1400, 757)  # the window size the browser mode was tried in
OSC_52 = b"\x1b]52;"  # a terminal's "put this on the clipboard"


def browser_programs() -> tuple[str, str]:
    """Debian's chromium and chromedriver; missing ones fail in CI and skip elsewhere."""
    found = [shutil.which(name) or f"/usr/bin/{name}" for name in ("chromium", "chromedriver")]
    missing = [path for path in found if not Path(path).exists()]
    if missing:
        message = f"needs Debian's chromium and chromium-driver (missing: {', '.join(missing)})"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return found[0], found[1]


def start_chromium(*, host_rules: str = "") -> webdriver.Chrome:
    """A headless Chromium whose DevTools log includes every WebSocket frame."""
    chromium, chromedriver = browser_programs()
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for argument in (
        "--headless=new",
        "--no-sandbox",  # CI containers run as root
        "--disable-dev-shm-usage",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-default-apps",
        "--disable-sync",
        f"--window-size={WINDOW[0]},{WINDOW[1]}",
    ):
        options.add_argument(argument)
    if host_rules:
        options.add_argument(f"--host-resolver-rules={host_rules}")
    options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    service = webdriver.ChromeService(executable_path=chromedriver)
    driver = webdriver.Chrome(options=options, service=service)
    driver.set_page_load_timeout(WAIT_SECONDS)
    driver.set_script_timeout(WAIT_SECONDS)
    driver.execute_cdp_cmd("Network.enable", {})
    return driver


def wait_until(what: str, condition: Callable[[], Any], seconds: float = WAIT_SECONDS) -> Any:
    """Look at `condition` until it holds (returns it), or fail saying what never happened."""
    deadline = time.monotonic() + seconds
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {seconds:.0f} s, but never: {what}")
        time.sleep(POLL_SECONDS)


@dataclass
class Socket:
    """One WebSocket seen in the log: its address, its terminal, and what came over it."""

    url: str
    screen: pyte.Screen
    stream: pyte.ByteStream
    received: bytearray = field(default_factory=bytearray)
    refused: bool = False


class Frames:
    """Every WebSocket of one Chromium, read from its performance log (which drains on read)."""

    def __init__(self, driver: webdriver.Chrome) -> None:
        self.driver = driver
        self.sockets: dict[str, Socket] = {}
        self.requests: list[str] = []
        """Every address the browser asked for, in order."""

    def read(self) -> None:
        for entry in self.driver.get_log("performance"):
            message = json.loads(entry["message"])["message"]
            method, params = message["method"], message.get("params", {})
            if method == "Network.requestWillBeSent":
                self.requests.append(params["request"]["url"])
            elif method == "Network.webSocketCreated":
                self.requests.append(params["url"])
                self._open(params["requestId"], params["url"])
            elif method == "Network.webSocketHandshakeResponseReceived":
                if params["response"]["status"] != 101:
                    self.sockets[params["requestId"]].refused = True
            elif method == "Network.webSocketFrameError":
                socket = self.sockets.get(params["requestId"])
                if socket is not None:
                    socket.refused = True
            elif method == "Network.webSocketFrameReceived":
                self._received(params["requestId"], params["response"])
            elif method == "Network.webSocketFrameSent":
                self._sent(params["requestId"], params["response"])

    def _open(self, request_id: str, url: str) -> None:
        query = dict(part.split("=", 1) for part in url.partition("?")[2].split("&") if "=" in part)
        screen = pyte.Screen(int(query.get("width", 80)), int(query.get("height", 24)))
        self.sockets[request_id] = Socket(url, screen, pyte.ByteStream(screen))

    def _received(self, request_id: str, frame: dict[str, Any]) -> None:
        socket = self.sockets.get(request_id)
        if socket is None or frame["opcode"] != 2:  # text frames are pongs and meta messages
            return
        data = base64.b64decode(frame["payloadData"])
        socket.received += data
        socket.stream.feed(data)

    def _sent(self, request_id: str, frame: dict[str, Any]) -> None:
        socket = self.sockets.get(request_id)
        if socket is None or frame["opcode"] != 1:
            return
        envelope = json.loads(frame["payloadData"])
        if envelope[0] == "resize":
            size = envelope[1]
            socket.screen.resize(int(size["height"]), int(size["width"]))


class WizardTab:
    """One browser tab showing the wizard: its terminal's text, keys, clicks and pictures."""

    def __init__(self, frames: Frames, window: str, socket_id: str, shots: Path) -> None:
        self.frames = frames
        self.driver = frames.driver
        self.window = window
        self.socket_id = socket_id
        self.shots = shots

    @classmethod
    def open(cls, frames: Frames, address: str, shots: Path) -> WizardTab:
        """Open `address` in the current window and wait for its wizard's first screen."""
        frames.read()
        known = set(frames.sockets)
        frames.driver.get(address)

        def new_socket() -> str | None:
            frames.read()
            fresh = [key for key in frames.sockets if key not in known]
            return fresh[0] if fresh else None

        socket_id = wait_until("the page opened its WebSocket", new_socket)
        tab = cls(frames, frames.driver.current_window_handle, socket_id, shots)
        tab.wait_for("profile ")  # the banner's badges, on every screen
        return tab

    @property
    def socket(self) -> Socket:
        return self.frames.sockets[self.socket_id]

    def text(self) -> str:
        """The terminal's screen as text, one line per row."""
        self.frames.read()
        return "\n".join(self.socket.screen.display)

    def wait_for(self, *texts: str) -> str:
        """Wait until every one of `texts` is on screen; the screen's text."""
        try:
            return str(
                wait_until(
                    f"{' and '.join(map(repr, texts))} on screen",
                    lambda: screen if all(t in (screen := self.text()) for t in texts) else None,
                )
            )
        except AssertionError as never:
            raise AssertionError(f"{never}; the screen shows:\n{self.text()}") from None

    def _focus(self) -> WebElement:
        """Give the terminal the keyboard, as clicking into it would: its hidden text area (a
        zero-size element that Chromium's WebDriver refuses to type into directly) gets focus,
        and keys then go to the focused element."""
        if self.driver.current_window_handle != self.window:
            self.driver.switch_to.window(self.window)
        area = self.driver.find_element(By.CSS_SELECTOR, ".xterm-helper-textarea")
        self.driver.execute_script("arguments[0].focus();", area)
        return area

    def type(self, *keys: str) -> None:
        """Type into the terminal, as a keyboard would."""
        self._focus()
        ActionChains(self.driver).send_keys(*keys).perform()

    def chord(self, modifier: str, key: str) -> None:
        """Press `modifier`+`key` (e.g. Ctrl+S), holding the modifier down meanwhile."""
        self._focus()
        ActionChains(self.driver).key_down(modifier).send_keys(key).key_up(modifier).perform()

    def find(self, text: str) -> tuple[int, int]:
        """Row and column where `text` first shows on screen."""
        for row, line in enumerate(self.text().splitlines()):
            if text in line:
                return row, line.index(text)
        raise AssertionError(f"{text!r} is not on screen:\n{self.text()}")

    def click(self, text: str) -> None:
        """Click the middle of `text` where it shows on screen, as a mouse would."""
        row, column = self.find(text)
        self._focus()
        grid = self.driver.find_element(By.CSS_SELECTOR, ".xterm-screen")
        cell_width = grid.size["width"] / self.socket.screen.columns
        cell_height = grid.size["height"] / self.socket.screen.lines
        x = (column + len(text) / 2) * cell_width - grid.size["width"] / 2
        y = (row + 0.5) * cell_height - grid.size["height"] / 2
        ActionChains(self.driver).move_to_element_with_offset(
            grid, int(x), int(y)
        ).click().perform()

    def scroll_to(self, text: str) -> None:
        """Turn the mouse wheel over the middle of the terminal until `text` shows."""
        grid = self._focus().parent.find_element(By.CSS_SELECTOR, ".xterm-screen")
        origin = ScrollOrigin.from_element(grid)

        def shown() -> bool:
            if text in self.text():
                return True
            ActionChains(self.driver).scroll_from_origin(origin, 0, 120).perform()
            return False

        try:
            wait_until(f"{text!r} scrolled into view", shown)
        except AssertionError as never:
            raise AssertionError(f"{never}; the screen shows:\n{self.text()}") from None

    def shoot(self, name: str) -> Path:
        """Save a picture of the tab (for people reading a CI run)."""
        self._focus()
        return self.shoot_window(self.driver, self.shots, name)

    @staticmethod
    def shoot_window(driver: webdriver.Chrome, shots: Path, name: str) -> Path:
        """Save a picture of the current window, numbered in the order taken."""
        shots.mkdir(parents=True, exist_ok=True)
        path = shots / f"{len(list(shots.iterdir())) + 1:02d}-{name}.png"
        driver.save_screenshot(str(path))
        return path
