"""The discovery document is read once a day per URL, so a refresh is one call to Intuit."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from qbo_wizard.core.connection import discovery, intuit
from qbo_wizard.core.connection.environments import Endpoints
from tests.odd_server import OddServer, odd_server

CLIENT_ID = "ABcanaryClientIdForDiscoveryCache0123456789abcdefg"
CLIENT_SECRET = "canarySecretForDiscoveryCache0123456789"
TOKENS = {
    "access_token": "eyJcanaryAccessTokenForDiscoveryCache",
    "refresh_token": "AB11canaryRefreshTokenForDiscoveryCache0123",
    "expires_in": 3600,
    "x_refresh_token_expires_in": 8640000,
    "token_type": "bearer",
}


@pytest.fixture
def intuit_stand_in() -> Iterator[OddServer]:
    with odd_server() as server:
        server.answer("/discovery", 200, server.discovery_document())
        server.answer("/token", 200, TOKENS)
        yield server


def endpoints(server: OddServer) -> Endpoints:
    return Endpoints("simulator", f"{server.url}/discovery", f"{server.url}/v3", server.url)


def refresh_once(server: OddServer) -> None:
    client = intuit.make_client(endpoints(server), CLIENT_ID, CLIENT_SECRET)
    intuit.refresh(client, "AB11canaryOldRefreshToken0123456789")


def test_refreshes_after_the_first_make_one_call_each(intuit_stand_in: OddServer) -> None:
    for _ in range(3):
        refresh_once(intuit_stand_in)
    assert intuit_stand_in.hits == {"/discovery": 1, "/token": 3}


def test_another_process_uses_the_kept_document(
    intuit_stand_in: OddServer, isolated_home: Path
) -> None:
    refresh_once(intuit_stand_in)
    script = (
        "from qbo_wizard.core.connection import intuit\n"
        "from qbo_wizard.core.connection.environments import Endpoints\n"
        f"url = {intuit_stand_in.url!r}\n"
        "ends = Endpoints('simulator', url + '/discovery', url + '/v3', url)\n"
        f"client = intuit.make_client(ends, {CLIENT_ID!r}, {CLIENT_SECRET!r})\n"
        "intuit.refresh(client, 'AB11canaryOldRefreshToken0123456789')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        env={**os.environ, "QBO_WIZARD_HOME": str(isolated_home)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert intuit_stand_in.hits == {"/discovery": 1, "/token": 2}


def test_a_day_old_document_is_read_again(intuit_stand_in: OddServer) -> None:
    refresh_once(intuit_stand_in)
    url = endpoints(intuit_stand_in).discovery_url
    kept = discovery.cache_file(url)
    record = json.loads(kept.read_text())
    record["fetched_at"] -= discovery.CACHE_SECONDS + 60
    kept.write_text(json.dumps(record))
    discovery.forget_in_memory()  # as a new process would start
    refresh_once(intuit_stand_in)
    assert intuit_stand_in.hits["/discovery"] == 2


def test_a_portal_page_is_never_kept(intuit_stand_in: OddServer) -> None:
    intuit_stand_in.answer("/discovery", 200, "<html>Sign in to Guest Wi-Fi</html>")
    with pytest.raises(intuit.OAuthCallFailed):
        refresh_once(intuit_stand_in)
    intuit_stand_in.answer("/discovery", 200, intuit_stand_in.discovery_document())
    refresh_once(intuit_stand_in)  # the real document is read, not the page
    assert intuit_stand_in.hits["/discovery"] == 2
    assert (
        not discovery.cache_file(endpoints(intuit_stand_in).discovery_url)
        .read_text()
        .count("Guest")
    )
