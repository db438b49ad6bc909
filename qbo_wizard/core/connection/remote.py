"""Whether this terminal is a remote (SSH) session, where a browser opened here is not seen."""

from __future__ import annotations

import os
from collections.abc import Mapping

SSH_VARIABLES = ("SSH_CONNECTION", "SSH_CLIENT", "SSH_TTY")


def running_over_ssh(environ: Mapping[str, str] | None = None) -> bool:
    """True when this terminal is a remote (SSH) session, where opening a browser cannot work."""
    environ = os.environ if environ is None else environ
    return any(environ.get(name) for name in SSH_VARIABLES)
