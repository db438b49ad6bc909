"""The standard `age` command-line tools, as a vendor uses them (Debian package `age`)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

AGE = shutil.which("age")
AGE_KEYGEN = shutil.which("age-keygen")


def require_age() -> tuple[str, str]:
    """The paths of `age` and `age-keygen`.

    Missing locally, the test is skipped with the fix; in CI (CI set), where `.ci/run` installs
    them, a missing tool is a failure, never a skip.
    """
    if AGE is None or AGE_KEYGEN is None:
        message = "needs the age command-line tools (Debian package age, installed by .ci/run)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return AGE, AGE_KEYGEN


def new_identity(folder: Path, name: str = "vendor.key") -> tuple[Path, str]:
    """A fresh identity file made by `age-keygen`, as a vendor makes one, and its public key."""
    _, keygen = require_age()
    path = folder / name
    done = subprocess.run([keygen, "-o", str(path)], capture_output=True, text=True, check=True)
    public = done.stderr.strip().rsplit(" ", 1)[-1]
    assert public.startswith("age1")
    return path, public


def age_decrypt(
    identity: Path, *args: str, data: bytes | None = None
) -> subprocess.CompletedProcess[bytes]:
    """`age -d -i IDENTITY [FILE]`, reading `data` from standard input when given."""
    age, _ = require_age()
    return subprocess.run(
        [age, "-d", "-i", str(identity), *args], input=data, capture_output=True, check=False
    )
