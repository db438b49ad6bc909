"""`qbo-wizard serve` stays on this computer and runs the same wizard per browser tab."""

from __future__ import annotations

import shlex
import sys

import pytest

from qbo_wizard.cli import build_parser
from qbo_wizard.commands.serve import build_server


def _args(*argv: str):  # type: ignore[no-untyped-def]
    return build_parser("serve").parse_args(list(argv))


def test_serves_on_loopback_only_with_the_chosen_profile() -> None:
    server = build_server(_args("--profile", "acme", "serve", "--port", "8123"))
    assert server.host == "127.0.0.1"
    assert server.public_url == "http://127.0.0.1:8123"
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
