"""Known secrets go through a whole credentials/login/refresh/logout cycle, failures included;
afterwards none of them is in the config folder, the failure log, or anything printed."""

from __future__ import annotations

import secrets
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from qbo_wizard.core.connection.tokens import TokenSet
from tests.connection_helpers import (
    US_REALM,
    CliLogin,
    SimulatorProcess,
    approve,
    expire_stored_access,
    keyring_entry,
    keys_input,
    run_qbo,
)

_PIECE = 16  # any 16 characters of a secret in a row count as a leak


def pieces(secret: str) -> set[str]:
    """The secret and every run of 16 of its characters (the JWE header of access tokens is a
    fixed, public prefix, so only the part after it counts)."""
    secret = secret.split("..", 1)[-1]
    return {secret[i : i + _PIECE] for i in range(len(secret) - _PIECE + 1)} | {secret}


def test_no_secret_is_written_or_printed_anywhere(shared_profile: str, isolated_home: Path) -> None:
    sim = SimulatorProcess("--rotate-every-refresh", "--seed", "canary-" + secrets.token_hex(4))
    keys = sim.info["keys"]["development"]
    printed: list[str] = []  # every stdout and stderr, except the one the token is meant for
    known: set[str] = {keys["client_secret"]}
    profile = ["--profile", shared_profile]

    def remember_stored() -> None:
        entry = keyring_entry(shared_profile)
        if entry:
            tokens = TokenSet.from_json(entry)
            known.update({tokens.access_token, tokens.refresh_token})

    try:
        done = run_qbo(
            ["credentials", *profile, "--simulator", sim.url], isolated_home, keys_input(sim)
        )
        assert done.returncode == 0
        printed += [done.stdout, done.stderr]

        # A refused refresh token, so the failure log has an Intuit answer in it.
        made_up = "AB11" + secrets.token_hex(23)
        known.add(made_up)
        done = run_qbo(
            ["login", *profile, "--method", "paste-tokens"],
            isolated_home,
            f"{made_up}\n{US_REALM}\n",
        )
        assert done.returncode == 1 and "invalid_grant" in done.stderr
        printed += [done.stdout, done.stderr]

        login = CliLogin(shared_profile, isolated_home, "--method", "paste-url")
        landed = approve(sim, login.url, US_REALM)
        known.add(parse_qs(urlsplit(landed).query)["code"][0])
        code, out, err = login.finish(landed + "\n")
        assert code == 0
        # The authorize URL carries the client ID (OAuth makes it public); the secret never.
        printed += [out, err]
        remember_stored()

        expire_stored_access(shared_profile)  # so the token command refreshes
        token = run_qbo(["token", *profile], isolated_home)
        assert token.returncode == 0
        printed.append(token.stderr)
        remember_stored()
        done = run_qbo(["logout", *profile], isolated_home)
        assert done.returncode == 0
        printed += [done.stdout, done.stderr]
    finally:
        sim.stop()

    files = {path: path.read_bytes() for path in isolated_home.rglob("*") if path.is_file()}
    assert any(path.name == "errors.log" for path in files)  # failures were logged
    assert any(path.name == "profile.yaml" for path in files)
    assert len(known) >= 6
    for secret in known:
        for piece in pieces(secret):
            for path, content in files.items():
                assert piece.encode() not in content, f"a secret is in {path}"
            for text in printed:
                assert piece not in text, "a secret was printed"
    for path, content in files.items():  # the full client ID only ever as a masked hint
        assert keys["client_id"].encode() not in content, f"the client ID is in {path}"
