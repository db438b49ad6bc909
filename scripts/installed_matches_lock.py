"""Check that an environment holds exactly the packages constraints.txt pins, at those versions.

Run it with the environment's own Python: `.venv/bin/python scripts/installed_matches_lock.py`.
Prints every difference and exits 1 when there is one, so CI cannot pass on an environment the
lock does not describe (a missed pin, a package pulled in from outside the lock).
"""

from __future__ import annotations

import sys
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

LOCK = Path(__file__).resolve().parent.parent / "constraints.txt"
# The build backend is pinned for the isolated environment qbo-wizard is built in; it and what
# only it needs are never installed in the test environment itself.
BUILD_BACKEND = "hatchling"
OUR_OWN = "qbo-wizard"


def read_lock(lock: Path) -> tuple[dict[str, str], dict[str, set[str]]]:
    """The exact version pinned for each package that applies to this Python, and, for every
    package, the packages the lock's `# via` comments say require it."""
    pins: dict[str, str] = {}
    required_by: dict[str, set[str]] = {}
    current = ""
    for line in lock.read_text().splitlines():
        if not line.startswith(" "):
            text = line.split("#", 1)[0].strip()
            if not text:
                continue
            requirement = Requirement(text)
            current = canonicalize_name(requirement.name)
            required_by.setdefault(current, set())
            if requirement.marker is None or requirement.marker.evaluate():
                (specifier,) = requirement.specifier
                pins[current] = specifier.version
        elif current:
            via = line.strip().removeprefix("#").strip().removeprefix("via").strip()
            if via:
                required_by[current].add(canonicalize_name(via.split(" ", 1)[0]))
    return pins, required_by


def build_only(required_by: dict[str, set[str]]) -> set[str]:
    """The build backend and the packages that nothing but it (directly or not) requires."""
    found = {BUILD_BACKEND}
    grew = True
    while grew:
        grew = False
        for name, parents in required_by.items():
            if name not in found and parents and parents <= found:
                found.add(name)
                grew = True
    return found


def installed_versions() -> dict[str, str]:
    return {
        canonicalize_name(dist.metadata["Name"]): dist.version for dist in metadata.distributions()
    }


def main() -> int:
    pins, required_by = read_lock(LOCK)
    not_installed_here = build_only(required_by)
    installed = installed_versions()
    problems = []
    for name, version in sorted(installed.items()):
        if name == OUR_OWN:
            continue
        if name not in pins:
            problems.append(f"{name}=={version} is installed but the lock does not pin it")
        elif pins[name] != version:
            problems.append(f"{name}=={version} is installed but the lock pins {pins[name]}")
    for name, version in sorted(pins.items()):
        if name not in installed and name not in not_installed_here:
            problems.append(f"{name}=={version} is pinned but not installed")
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print(
            f"After changing a dependency in pyproject.toml, update {LOCK.name} with the command"
            " at its top (README, Development), then run `python3 dev.py setup`.",
            file=sys.stderr,
        )
        return 1
    print(f"{len(installed) - 1} installed packages match {LOCK.name} exactly")
    return 0


if __name__ == "__main__":
    sys.exit(main())
