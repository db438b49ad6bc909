"""The lock (constraints.txt) that development and CI install through covers what pyproject.toml
asks for, so a new release of any tool cannot change the test environment unnoticed."""

from __future__ import annotations

import sys
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))
import installed_matches_lock as lock_check

ROOT = Path(__file__).resolve().parent.parent
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
EXTRAS = ("test", "encrypted-file")


def _asked_for() -> list[Requirement]:
    listed = PROJECT["dependencies"] + [
        line for extra in EXTRAS for line in PROJECT["optional-dependencies"][extra]
    ]
    return [Requirement(line) for line in listed]


def test_every_package_pyproject_asks_for_is_pinned_within_its_range() -> None:
    pins, _ = lock_check.read_lock(lock_check.LOCK)
    for requirement in _asked_for():
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{name} is not in constraints.txt: update the lock"
        assert requirement.specifier.contains(pins[name], prereleases=True), (
            f"constraints.txt pins {name}=={pins[name]}, outside {requirement.specifier}"
        )


def test_textual_and_rich_are_pinned_together_in_both_places() -> None:
    pins, _ = lock_check.read_lock(lock_check.LOCK)
    exact = {
        canonicalize_name(r.name): str(r.specifier)
        for r in _asked_for()
        if r.name in ("textual", "rich")
    }
    assert exact == {"textual": f"=={pins['textual']}", "rich": f"=={pins['rich']}"}


def test_the_lock_says_how_it_was_made() -> None:
    top = lock_check.LOCK.read_text().splitlines()[:2]
    assert top[1].strip("# ").startswith("uv pip compile pyproject.toml constraints.in")
    for extra in EXTRAS:
        assert f"--extra {extra}" in top[1]


def test_the_build_backend_and_only_what_it_needs_are_left_out_of_the_environment_check() -> None:
    _, required_by = lock_check.read_lock(lock_check.LOCK)
    build_only = lock_check.build_only(required_by)
    assert "hatchling" in build_only
    # Shared with the test tools, so they must be installed and checked.
    assert not build_only & {"packaging", "pathspec", "pluggy", "pip"}
