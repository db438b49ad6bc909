"""`qbo-wizard token`: on a real terminal (a pseudo-terminal) the token is not shown unless
asked for, and never in presenter mode; into a pipe it is printed as before; it never refreshes
on every call."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from typing import IO

import pytest

from qbo_wizard.cli import main
from qbo_wizard.core.connection.tokens import TokenStore
from qbo_wizard.simulator.server import SimulatorServer
from tests.connection_helpers import connect_by_paste, save_keys

pytestmark = pytest.mark.skipif(os.name == "nt", reason="pseudo-terminals are POSIX")


class Terminal:
    """Standard output on a pseudo-terminal, and what appeared on it."""

    def __init__(self) -> None:
        self.master, slave = os.openpty()
        self.stream: IO[str] = open(slave, "w", encoding="utf-8")  # noqa: SIM115
        os.set_blocking(self.master, False)

    def shown(self) -> str:
        self.stream.flush()
        chunks = []
        while True:
            try:
                chunk = os.read(self.master, 65536)
            except (BlockingIOError, OSError):
                break
            if not chunk:
                break
            chunks.append(chunk)
        return b"".join(chunks).decode()

    def close(self) -> None:
        self.stream.close()
        os.close(self.master)


@pytest.fixture
def terminal() -> Iterator[Terminal]:
    screen = Terminal()
    assert screen.stream.isatty()
    try:
        yield screen
    finally:
        screen.close()


def on_terminal(screen: Terminal, args: list[str]) -> int:
    """Run the command with standard output on the terminal (set here: pytest's own output
    capture puts its stream back before every test body)."""
    saved = sys.stdout
    sys.stdout = screen.stream
    try:
        return main(args)
    finally:
        sys.stdout = saved


@pytest.fixture
def connected(simulator: SimulatorServer) -> str:
    save_keys(simulator)
    connect_by_paste(simulator)
    tokens = TokenStore("default").load()
    assert tokens is not None
    return tokens.access_token


def test_a_terminal_gets_no_token_and_learns_how_to_capture_it(
    connected: str, terminal: Terminal, capsys: pytest.CaptureFixture[str]
) -> None:
    assert on_terminal(terminal, ["token"]) == 2
    assert connected not in terminal.shown()
    err = capsys.readouterr().err
    assert "TOKEN=$(qbo-wizard token --profile default)" in err
    assert "--reveal" in err
    assert connected not in err


def test_reveal_shows_it_on_the_terminal(connected: str, terminal: Terminal) -> None:
    assert on_terminal(terminal, ["token", "--reveal"]) == 0
    assert terminal.shown().strip() == connected


def test_presenter_mode_never_shows_it_on_a_terminal(
    connected: str, terminal: Terminal, capsys: pytest.CaptureFixture[str]
) -> None:
    assert on_terminal(terminal, ["--presenter", "token", "--reveal"]) == 2
    assert connected not in terminal.shown()
    assert "Presenter mode never shows an access token" in capsys.readouterr().err


def test_a_pipe_gets_only_the_token(connected: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--presenter", "token"]) == 0  # a script capturing it is not a screen
    assert capsys.readouterr().out == connected + "\n"


def test_token_valid_for_near_an_hour_is_capped_so_it_does_not_refresh_every_call(
    connected: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["token", "--valid-for", "3300"]) == 0
    first = capsys.readouterr().out
    assert main(["token", "--valid-for", "3600"]) == 0
    second = capsys.readouterr()
    assert second.out == first  # the hour-old-at-most token was still good: no refresh
    assert "3300 seconds is used instead" in second.err
