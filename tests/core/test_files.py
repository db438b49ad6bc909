"""Profile files: atomic, private, and never silently replaced when they are broken."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from qbo_wizard.core.files import atomic_write_text, read_yaml_mapping, write_yaml_mapping
from qbo_wizard.core.paths import InvalidProfileName, config_home, profile_dir
from qbo_wizard.core.problems import ConfigFileError


def test_home_follows_the_environment_override(isolated_home: Path) -> None:
    assert config_home() == isolated_home
    assert profile_dir("acme") == isolated_home / "profiles" / "acme"


@pytest.mark.parametrize("name", ["", "..", "../x", "a/b", "-dash", "x" * 65, "with space"])
def test_unsafe_profile_names_are_refused(name: str) -> None:
    with pytest.raises(InvalidProfileName) as caught:
        profile_dir(name)
    assert "not a usable profile name" in str(caught.value)


def test_written_files_are_private_and_readable_back(isolated_home: Path) -> None:
    target = profile_dir("acme") / "profile.yaml"
    write_yaml_mapping(target, {"company_name": "Ridgeline Freight", "realm_id": "9130"})
    assert read_yaml_mapping(target) == {"company_name": "Ridgeline Freight", "realm_id": "9130"}
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert stat.S_IMODE(target.parent.stat().st_mode) == 0o700
    assert [p.name for p in target.parent.iterdir()] == ["profile.yaml"]  # no temp files left


def test_interrupted_write_keeps_the_old_file(
    isolated_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = isolated_home / "p" / "profile.yaml"
    atomic_write_text(target, "realm_id: '1'\n")

    def ctrl_c(*_args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", ctrl_c)
    with pytest.raises(KeyboardInterrupt):
        atomic_write_text(target, "realm_id: '2'\n")
    assert target.read_text() == "realm_id: '1'\n"
    assert sorted(os.listdir(target.parent)) == ["profile.yaml"]


def test_corrupt_yaml_names_file_and_line_and_is_left_alone(isolated_home: Path) -> None:
    target = isolated_home / "profile.yaml"
    isolated_home.mkdir()
    broken = "environment: sandbox\nrealm_id: [unclosed\ncompany: x\n"
    target.write_text(broken)
    with pytest.raises(ConfigFileError) as caught:
        read_yaml_mapping(target)
    message = str(caught.value)
    assert str(target) in message
    assert "line " in message
    assert "left as it is" in message
    assert target.read_text() == broken


def test_a_list_at_the_top_is_explained(isolated_home: Path) -> None:
    target = isolated_home / "mapping.yaml"
    isolated_home.mkdir()
    target.write_text("- one\n- two\n")
    with pytest.raises(ConfigFileError) as caught:
        read_yaml_mapping(target)
    assert "YAML mapping" in str(caught.value)


def test_binary_garbage_is_explained(isolated_home: Path) -> None:
    target = isolated_home / "profile.yaml"
    isolated_home.mkdir()
    target.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(ConfigFileError) as caught:
        read_yaml_mapping(target)
    assert "not UTF-8" in str(caught.value)


def test_missing_file_reads_as_none(isolated_home: Path) -> None:
    assert read_yaml_mapping(isolated_home / "nope.yaml") is None


def test_a_folder_the_user_chose_keeps_its_permissions(tmp_path: Path) -> None:
    shared = tmp_path / "shared-like-tmp"
    shared.mkdir()
    os.chmod(shared, 0o1777)  # noqa: S103  # world-writable and sticky, as /tmp is
    target = shared / "mapping-export.yaml"
    write_yaml_mapping(target, {"integration": "freight-brokerage"})
    assert stat.S_IMODE(shared.stat().st_mode) == 0o1777
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert read_yaml_mapping(target) == {"integration": "freight-brokerage"}


def test_a_folder_inside_the_config_home_is_made_private(isolated_home: Path) -> None:
    folder = isolated_home / "cache"
    folder.mkdir(parents=True)
    os.chmod(folder, 0o755)  # noqa: S103
    atomic_write_text(folder / "lists.json", "{}")
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700


@pytest.mark.parametrize("where", ["missing-folder", "under-a-file", "read-only"])
def test_a_file_that_cannot_be_written_is_a_plain_error(tmp_path: Path, where: str) -> None:
    if where == "missing-folder":
        target = tmp_path / "no-such-folder" / "export.yaml"
    elif where == "under-a-file":
        (tmp_path / "a-file").write_text("")
        target = tmp_path / "a-file" / "export.yaml"
    else:
        folder = tmp_path / "read-only"
        folder.mkdir()
        os.chmod(folder, 0o555)  # noqa: S103
        target = folder / "export.yaml"
        if os.access(folder, os.W_OK):  # an administrator may write anyway: use a name no
            target = folder / ("x" * 300 + ".yaml")  # file system accepts instead
    with pytest.raises(ConfigFileError) as caught:
        atomic_write_text(target, "integration: freight-brokerage\n")
    assert "could not be written" in str(caught.value)
    assert "choose another place" in str(caught.value)
    assert not target.parent.is_dir() or os.listdir(target.parent) == []  # no temp file left
