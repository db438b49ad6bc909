"""Commands on damaged or hostile files: a plain message naming file and line, never a crash.

`doctor` and `diagnostics` in particular must keep working on a damaged profile, as they are
what support asks for when something is broken.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from qbo_wizard.cli import main
from qbo_wizard.core.mapping.file import mapping_path
from qbo_wizard.core.problems import EXIT_PROBLEM
from qbo_wizard.core.profile import Profile
from qbo_wizard.simulator.server import SimulatorServer
from tests.core.test_yaml_reader import ALIAS_BOMB
from tests.doctor_helpers import healthy
from tests.fuzz import dump

LONG_NUMBER = "9" * 5000


def damage_profile(replace_realm_with: str) -> Path:
    """The healthy profile's file with its realm ID replaced by hand, as a damaged copy has."""
    path = Profile(name="acme").path
    text = path.read_text()
    damaged = re.sub(r"(?m)^realm_id: .*$", f"realm_id: {replace_realm_with}", text)
    assert damaged != text
    path.write_text(damaged)
    return path


def realm_line(path: Path) -> int:
    lines = path.read_text().splitlines()
    return next(i for i, line in enumerate(lines, 1) if line.startswith("realm_id:"))


def plain_refusal(err: str, path: Path) -> str:
    flat = " ".join(err.split())
    assert str(path) in flat
    assert "unexpected" not in flat and "Traceback" not in flat
    assert LONG_NUMBER[:50] not in flat
    return flat


@pytest.mark.parametrize(
    ("content", "line", "words"),
    [
        (ALIAS_BOMB, 1, "uses a YAML anchor"),
        (f"format: 1\nintegration: freight-brokerage\nrealm_id: {LONG_NUMBER}\n", 3, "40 digits"),
        ("format: 1\nlines:\n  x: {kind: bill, account: {id: 2025-13-45}}\n", 3, "real date"),
    ],
)
def test_mapping_import_refuses_a_hostile_file_naming_it_and_keeps_the_mapping(
    simulator: SimulatorServer,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    content: str,
    line: int,
    words: str,
) -> None:
    healthy(simulator)
    before = mapping_path("acme").read_text()
    shared = tmp_path / "from-the-consultant.yaml"
    shared.write_text(content)
    assert main(["mapping", "import", str(shared), "--profile", "acme"]) == EXIT_PROBLEM
    flat = plain_refusal(capsys.readouterr().err, shared)
    assert f"line {line}:" in flat and words in flat
    assert mapping_path("acme").read_text() == before


def test_doctor_names_the_damaged_profile_and_still_checks_the_keyring(
    simulator: SimulatorServer, capsys: pytest.CaptureFixture[str]
) -> None:
    healthy(simulator)
    path = damage_profile(LONG_NUMBER)
    assert main(["doctor", "--offline", "--profile", "acme"]) == EXIT_PROBLEM
    flat = plain_refusal(capsys.readouterr().out, path)
    assert f"line {realm_line(path)}" in flat and "more than 40 digits" in flat
    assert "move it aside" in flat
    assert "ok Keyring" in flat


def test_diagnostics_still_gives_a_bundle_for_a_damaged_profile(
    simulator: SimulatorServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    healthy(simulator)
    path = damage_profile(LONG_NUMBER)
    out = tmp_path / "bundle.txt"
    assert main(["diagnostics", "--yes", "--offline", "-o", str(out), "--profile", "acme"]) == 0
    bundle = out.read_text()
    assert f"profile.yaml, line {realm_line(path)} could not be read" in bundle
    assert "refresh token         saved, sha256:" in bundle  # the keyring part is all there
    assert "integration           freight-brokerage" in bundle  # and the mapping's outline
    assert LONG_NUMBER[:50] not in bundle


def test_doctor_finishes_on_an_alias_bomb_profile(
    simulator: SimulatorServer, capsys: pytest.CaptureFixture[str]
) -> None:
    healthy(simulator)
    Profile(name="acme").path.write_text(ALIAS_BOMB)
    assert main(["doctor", "--offline", "--profile", "acme"]) == EXIT_PROBLEM
    flat = " ".join(capsys.readouterr().out.split())
    assert "profile.yaml, line 1: it uses a YAML anchor" in flat


def test_login_on_a_damaged_profile_names_file_and_line(
    simulator: SimulatorServer, capsys: pytest.CaptureFixture[str]
) -> None:
    healthy(simulator)
    path = damage_profile(LONG_NUMBER)
    assert main(["login", "--profile", "acme"]) == EXIT_PROBLEM
    flat = plain_refusal(capsys.readouterr().err, path)
    assert f"line {realm_line(path)}" in flat


def test_mapping_import_quotes_names_from_the_file_only_in_part(
    simulator: SimulatorServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    healthy(simulator)
    long_name = "Freight " * 50_000
    shared = tmp_path / "from-the-consultant.yaml"
    lines = {
        "linehaul": {"kind": "invoice", "item": {"name": long_name}},
        "x" * 100_000: {"kind": "bill", "unused": True},
    }
    content = {"format": 1, "integration": "freight-brokerage", "realm_id": "1", "lines": lines}
    shared.write_text(dump(content))
    main(["mapping", "import", str(shared), "--profile", "acme"])
    shown = capsys.readouterr()
    assert "no item named 'Freight Freight" in shown.out
    assert len(shown.out) + len(shown.err) < 5_000
