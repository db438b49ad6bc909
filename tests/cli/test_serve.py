"""`qbo-wizard serve` admits only the person who started it, and says plainly when it cannot.

Each test starts the real command in its own process and talks to it as a browser (or an
attacker's page) would: plain HTTP requests and a real WebSocket handshake.
"""

from __future__ import annotations

import os
import queue
import re
import shlex
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import aiohttp
import pytest

from qbo_wizard.cli import build_parser, main
from qbo_wizard.commands.serve import build_server

START_SECONDS = 120.0  # generous: a loaded machine may take long to import and bind
OUTPUT_ENDED = "\x00"  # put after the last line
ADDRESS = re.compile(r"http://127\.0\.0\.1:(\d+)/\?token=([A-Za-z0-9_-]+)")


def _args(*argv: str):  # type: ignore[no-untyped-def]
    return build_parser("serve").parse_args(list(argv))


@dataclass
class Served:
    process: subprocess.Popen[str]
    port: int
    token: str
    printed: str

    @property
    def root(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def cookie_name(self) -> str:
        return f"qbo_wizard_{self.port}"


def _start_serving(home: Path, *extra: str) -> tuple[subprocess.Popen[str], queue.Queue[str]]:
    env = {**os.environ, "QBO_WIZARD_HOME": str(home)}
    process = subprocess.Popen(
        [sys.executable, "-m", "qbo_wizard", *extra, "serve", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    lines: queue.Queue[str] = queue.Queue()

    def pump() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.put(line)
        lines.put(OUTPUT_ENDED)

    threading.Thread(target=pump, daemon=True).start()
    return process, lines


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    """`qbo-wizard --demo serve --port 0`, running until the test ends."""
    process, lines = _start_serving(tmp_path, "--demo")
    printed = ""
    try:
        while (match := ADDRESS.search(printed)) is None:
            printed += lines.get(timeout=START_SECONDS)
        yield Served(process, int(match.group(1)), match.group(2), printed)
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=START_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_each_browser_tab_runs_the_wizard_on_the_chosen_profile() -> None:
    server = build_server(_args("--profile", "acme", "serve", "--port", "8123"))
    assert server.host == "127.0.0.1"
    words = shlex.split(server.command)
    assert words[:3] == [sys.executable, "-m", "qbo_wizard"]
    assert words[3:] == ["--profile", "acme"]


def test_demo_mode_is_passed_on_to_each_tab() -> None:
    server = build_server(_args("--demo", "serve"))
    assert shlex.split(server.command)[-1] == "--demo"
    assert server.port == 8000


def test_serve_cannot_be_bound_to_another_address() -> None:
    with pytest.raises(SystemExit):
        _args("serve", "--host", "192.0.2.10")


def test_every_launch_has_its_own_long_secret() -> None:
    first = build_server(_args("serve")).guard.token
    second = build_server(_args("serve")).guard.token
    assert first != second
    assert len(first) * 6 >= 128  # URL-safe base64: six bits a character


async def test_the_printed_address_lets_the_browser_in_once_and_then_by_cookie(
    served: Served,
) -> None:
    assert served.printed.count("http://") == 1  # one address to open, nothing else
    # Like a browser, keep cookies from an address given by number.
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as browser:
        async with browser.get(
            f"{served.root}/?token={served.token}&fontsize=18", allow_redirects=False
        ) as answer:
            assert answer.status == 303
            assert answer.headers["Location"] == "/?fontsize=18"  # the secret leaves the bar
            cookie = answer.headers["Set-Cookie"]
            assert f"{served.cookie_name}={served.token}" in cookie
            assert "HttpOnly" in cookie
            assert "SameSite=Strict" in cookie
        async with browser.get(f"{served.root}/?fontsize=18") as page:
            assert page.status == 200
            assert page.headers["X-Frame-Options"] == "DENY"  # no other page can frame it
            html = await page.text()
    assert f'data-session-websocket-url="ws://127.0.0.1:{served.port}/ws"' in html
    # Nothing on the page is fetched from another server (the icon is inline).
    fetched = re.findall(r'(?:src|href)=["\']([^"\']+)', html)
    assert fetched
    assert all(url.startswith(("/static/", "data:")) for url in fetched), fetched
    assert "googleapis" not in html


async def test_without_the_secret_the_page_and_the_wizard_are_refused(served: Served) -> None:
    async with aiohttp.ClientSession() as stranger:
        for path in ("/", "/?token=not-the-secret", "/download/anything"):
            async with stranger.get(served.root + path, allow_redirects=False) as answer:
                assert answer.status == 403, path
                assert "address printed in the terminal" in await answer.text()
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await stranger.ws_connect(f"{served.root}/ws", origin=served.root)
        assert refused.value.status == 403
        async with stranger.get(f"{served.root}/static/js/textual.js") as script:
            assert script.status == 200  # the terminal's own script holds nothing private


async def test_another_host_name_is_refused_even_with_the_secret(served: Served) -> None:
    rebound = f"rebind.evil.example:{served.port}"
    async with aiohttp.ClientSession() as page:
        for path in (f"/?token={served.token}", "/static/js/textual.js"):
            async with page.get(
                served.root + path, headers={"Host": rebound}, allow_redirects=False
            ) as answer:
                assert answer.status == 421
                assert "Set-Cookie" not in answer.headers
        async with page.get(
            f"{served.root}/?token={served.token}",
            headers={"Host": f"localhost:{served.port}"},
            allow_redirects=False,
        ) as answer:
            assert answer.status == 303  # the other name of this computer is fine
        async with page.get(
            f"{served.root}/",
            headers={"Host": f"localhost:{served.port}"},
            cookies={served.cookie_name: served.token},
        ) as answer:
            # …and its page opens the WebSocket on that name, so the Origin check matches.
            assert f'"ws://localhost:{served.port}/ws"' in await answer.text()


async def test_a_page_from_another_origin_cannot_open_the_wizard(served: Served) -> None:
    cookies = {served.cookie_name: served.token}  # even if the browser would send the cookie
    async with aiohttp.ClientSession(cookies=cookies) as browser:
        for origin in (
            "http://127.0.0.1:1",  # another port on this computer: the same "site"
            "http://evil.example",
            "null",
        ):
            with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
                await browser.ws_connect(f"{served.root}/ws", origin=origin)
            assert refused.value.status == 403, origin
        socket_ = await browser.ws_connect(f"{served.root}/ws", origin=served.root)
        try:
            first = await socket_.receive(timeout=START_SECONDS)
            assert first.type in (aiohttp.WSMsgType.BINARY, aiohttp.WSMsgType.TEXT)
        finally:
            await socket_.close()


def test_a_busy_port_is_reported_in_words_with_the_way_out(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        code = main(["--demo", "serve", "--port", str(port)])
    out, err = capsys.readouterr()
    assert code == 1
    assert out == ""  # no address is offered for a server that is not running
    assert f"Port {port} on 127.0.0.1 is already in use" in err
    assert "qbo-wizard serve --port 0" in err


@pytest.mark.parametrize("port", ["70000", "-1", "eighty"])
def test_an_impossible_port_is_an_argument_error(
    port: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["serve", "--port", port])
    err = capsys.readouterr().err
    assert code == 2
    assert "is not a port" in err
    assert "0 for any free port" in err


def test_the_printed_address_names_the_port_it_got(served: Served) -> None:
    parts = urlsplit(re.search(r"http://\S+", served.printed).group(0))  # type: ignore[union-attr]
    assert parts.port == served.port != 0
    assert parse_qs(parts.query)["token"] == [served.token]


async def test_the_terminal_notes_refusals_but_never_repeats_the_secret(tmp_path: Path) -> None:
    process, lines = _start_serving(tmp_path, "--demo")
    printed = ""
    try:
        while (match := ADDRESS.search(printed)) is None:
            printed += lines.get(timeout=START_SECONDS)
        root, token = f"http://127.0.0.1:{match.group(1)}", match.group(2)
        async with aiohttp.ClientSession() as browser:
            async with browser.get(f"{root}/?token={token}", allow_redirects=False) as answer:
                assert answer.status == 303
            async with browser.get(f"{root}/?token=guess", allow_redirects=False) as answer:
                assert answer.status == 403
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=START_SECONDS)
    while (line := lines.get(timeout=START_SECONDS)) != OUTPUT_ENDED:
        printed += line
    assert printed.count(token) == 1  # only in the address printed to open
    assert "Refused GET /" in printed
    assert "guess" not in printed
