"""The support bundle: what support needs to help, and not one secret.

`build_bundle` gathers the versions of qbo-wizard, Python and the libraries it talks to Intuit
with, the operating system and keyring backend, the profile's non-secret settings and step
progress, the saved mapping's outline, the latest failures from the error log (codes and
`intuit_tid`, which Intuit support asks for) and the doctor's results.

It is a **plain-text file**, not JSON, on purpose: the person sending it is asked to read it
before it leaves their computer, and support reads it in a ticket or an email. Plain sections
of `name  value` lines can be checked line by line by anyone, need no viewer, and survive being
pasted into a web form. (Scripts that want structure have `qbo-wizard doctor --json`.)

Secrets never go in: each keyring value is shown only as `fingerprint()` (`sha256:1a2b3c4d`),
which lets support tell whether two bundles carried the same key or token without seeing
either. As a second line of defence the finished text goes through `redact_text` with every
keyring value of the profile as a known secret, so a secret that slipped into an error
message or a setting is scrubbed as well.

For a screen: `build_bundle` blocks (keyring, network for the live checks), so run it in a
thread worker; pass a `DoctorReport` already on screen to skip running the checks again.
`write_bundle` writes the file readable by its owner only (0600).
"""

from __future__ import annotations

import platform
from dataclasses import dataclass
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path

from qbo_wizard import __version__
from qbo_wizard.core.connection.keyring_entries import CLIENT_ID, CLIENT_SECRET, TOKENS_ENTRY
from qbo_wizard.core.connection.tokens import TokenSet
from qbo_wizard.core.connection.vault import Vault, VaultUnavailable, keyring_choice
from qbo_wizard.core.files import atomic_write_text
from qbo_wizard.core.health.doctor import render_text, run_doctor
from qbo_wizard.core.health.doctor_report import DoctorReport, ProgressCallback
from qbo_wizard.core.health.errorlog import recent_failures
from qbo_wizard.core.mapping.file import load_saved_mapping
from qbo_wizard.core.paths import profile_dir, validate_profile_name
from qbo_wizard.core.problems import ConfigFileError, WizardError
from qbo_wizard.core.profile import Profile
from qbo_wizard.core.profile_store import profile_store
from qbo_wizard.core.redact import fingerprint, redact_text
from qbo_wizard.core.steps import STEPS

#: Distributions whose versions support asks about first.
PACKAGES = ("textual", "intuit-oauth", "python-quickbooks", "keyring", "requests")
#: How many of the latest failures go into a bundle.
ERROR_LIMIT = 20
_LABEL_WIDTH = 22
_MAX_SETTING_CHARS = 200

INTRODUCTION = (
    "This file is for the support team of your integration. It holds no password, key or "
    "token: each one is replaced by a fingerprint such as sha256:1a2b3c4d, which tells support "
    "whether two values are the same without showing either. Please read it before you send it."
)


class BundleNotWritten(WizardError):
    """The bundle could not be written where asked (nothing was changed there)."""


@dataclass(frozen=True)
class SupportBundle:
    """A finished, redacted bundle: show `text`, then `write_bundle` it."""

    profile_name: str
    created_at: datetime
    text: str
    doctor: DoctorReport

    @property
    def default_filename(self) -> str:
        """`qbo-wizard-support-<profile>-<UTC time>.txt`."""
        return f"qbo-wizard-support-{self.profile_name}-{self.created_at:%Y%m%d-%H%M%S}.txt"


def package_versions() -> dict[str, str]:
    """Installed versions of qbo-wizard and the libraries in `PACKAGES` (read, not imported)."""
    versions = {"qbo-wizard": __version__}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def _line(label: str, value: object) -> str:
    text = " ".join(str(value).split()) if value not in (None, "") else "—"
    return f"{label.ljust(_LABEL_WIDTH - 1)} {text}"  # a long label still keeps a space


def _section(title: str, lines: list[str]) -> list[str]:
    return ["", title, "-" * len(title), *lines]


def _system_lines(profile_name: str) -> list[str]:
    lines = [
        _line(name, version)
        for name, version in {
            "Python": f"{platform.python_version()} ({platform.python_implementation()})",
            **package_versions(),
        }.items()
    ]
    system = " ".join(p for p in (platform.system(), platform.release(), platform.machine()) if p)
    lines.append(_line("operating system", system))
    choice = keyring_choice()
    if not choice.usable:
        verdict = "NOT usable: secrets can be neither saved nor read"
    elif choice.plaintext:
        verdict = "usable, but secrets sit in clear text"
    else:
        verdict = "usable"
    lines.append(_line("keyring backend", f"{choice.description} ({verdict})"))
    return lines


@dataclass
class _Secrets:
    """What the keyring holds for the profile: fingerprints to show, values to scrub."""

    lines: list[str]
    known: list[str]


def _read_secrets(profile_name: str) -> _Secrets:
    vault = Vault(profile_name)
    lines: list[str] = []
    known: list[str] = []
    labels = {CLIENT_ID: "client ID", CLIENT_SECRET: "client secret"}
    try:
        values = {name: vault.get(name) for name in (CLIENT_ID, CLIENT_SECRET, TOKENS_ENTRY)}
    except VaultUnavailable as error:
        return _Secrets([_line("keyring", f"could not be read: {error}")], [])
    for name, label in labels.items():
        value = values[name]
        lines.append(_line(label, f"saved, {fingerprint(value)}" if value else "not saved"))
        if value:
            known.append(value)
    stored = values[TOKENS_ENTRY]
    if not stored:
        lines.append(_line("tokens", "not saved (not connected)"))
        return _Secrets(lines, known)
    known.append(stored)
    try:
        tokens = TokenSet.from_json(stored)
    except ValueError as error:
        lines.append(_line("tokens", f"saved but unreadable ({error})"))
        return _Secrets(lines, known)
    known += [tokens.refresh_token, tokens.access_token]
    lines.append(_line("refresh token", f"saved, {fingerprint(tokens.refresh_token)}"))
    lines.append(_line("access token", f"saved, {fingerprint(tokens.access_token)}"))
    lines.append(_line("tokens' realm ID", tokens.realm_id))
    return _Secrets(lines, known)


def _profile_lines(profile: Profile) -> list[str]:
    lines = [
        _line("folder", profile.folder),
        _line("environment", profile.environment),
        _line("key set", profile.key_set),
    ]
    if profile.simulator_url:
        lines.append(_line("simulator address", profile.simulator_url))
    lines += [
        _line("client ID (hint)", profile.client_id_hint),
        _line("realm ID", profile.realm_id),
        _line("company", profile.company_name),
        _line("country", profile.country),
        _line("connected at", profile.connected_at),
        _line("connect method", profile.connect_method),
        _line("access token until", profile.access_token_expires_at),
        _line("100-day window ends", profile.refresh_token_expires_at),
        _line("5-year limit ends", profile.refresh_token_hard_expires_at),
    ]
    # A hand-edited file may have names that are numbers or dates: sort them as text.
    for key, value in sorted(profile.last_test.items(), key=lambda pair: str(pair[0])):
        lines += _readable_lines(f"last test {str(key)[:40].replace('_', ' ')}", value)
    for key, value in sorted(profile.extra.items(), key=lambda pair: str(pair[0])):
        lines.append(_line(str(key)[: _LABEL_WIDTH - 2], str(value)[:_MAX_SETTING_CHARS]))
    return lines


def _damaged(error: ConfigFileError) -> str:
    """What a bundle says of a file that could not be read: where, what, and what to do."""
    where = f"{error.path.name}, line {error.line}" if error.line else error.path.name
    return (
        f"{where} could not be read: {error.problem}. Fix it in a text editor, or move it "
        "aside (rename it) and set that part up again."
    )


def _readable_lines(label: str, value: object) -> list[str]:
    """A setting as a person reads it: one line per document of a list, each as
    `name value, name value`, rather than Python's data cut off mid-string."""
    if isinstance(value, dict):
        parts = [f"{str(k).replace('_', ' ')} {v}" for k, v in value.items() if v not in (None, "")]
        return [_line(label, ", ".join(parts)[:_MAX_SETTING_CHARS])]
    if isinstance(value, list | tuple):
        if not value:
            return [_line(label, "none")]
        return [
            line
            for number, item in enumerate(value, start=1)
            for line in _readable_lines(f"{label} {number}", item)
        ]
    return [_line(label, str(value)[:_MAX_SETTING_CHARS])]


def _step_lines(profile: Profile) -> list[str]:
    lines = []
    for step in STEPS:
        here = "   ← current step" if step.id == profile.current_step else ""
        ticked = len(profile.checklists.get(step.id, []))
        ticks = f" ({ticked} ticked)" if ticked else ""
        lines.append(
            f"{step.number} {step.id:<{_LABEL_WIDTH - 2}}{profile.step_state(step.id)}{ticks}{here}"
        )
    return lines


def _mapping_lines(profile_name: str) -> list[str]:
    try:
        saved = load_saved_mapping(profile_name)
    except ConfigFileError as error:
        return [_damaged(error)]
    if saved is None:
        return [_line("mapping.yaml", "not saved yet")]
    targets = [entry for entry in saved.lines.values() if entry.target is not None]
    unused = sum(entry.unused for entry in saved.lines.values())
    return [
        _line("integration", saved.integration),
        _line("realm ID", saved.realm_id),
        _line("saved at", saved.saved_at),
        _line("lines", f"{len(targets)} mapped, {unused} unused"),
    ]


def _error_lines(profile_name: str, limit: int) -> list[str]:
    failures = recent_failures(profile_name, limit)
    if not failures:
        return ["No failures recorded."]
    lines: list[str] = []
    for failure in failures:
        parts = [
            str(failure.get("time") or "?"),
            str(failure.get("source") or "?"),
            f"code {failure.get('code') or '—'}",
        ]
        if failure.get("intuit_tid"):
            parts.append(f"intuit_tid {failure['intuit_tid']}")
        lines.append("  ".join(parts))
        lines.append("    " + " ".join(str(failure.get("message") or "").split()))
    return lines


def build_bundle(
    profile_name: str,
    *,
    doctor_report: DoctorReport | None = None,
    live: bool = True,
    on_progress: ProgressCallback | None = None,
    error_limit: int = ERROR_LIMIT,
    now: datetime | None = None,
) -> SupportBundle:
    """Gather and redact the support bundle of one profile; never fails for a broken profile.

    Args:
        profile_name: The profile to describe (`InvalidProfileName` if it cannot be one).
        doctor_report: Results already at hand; otherwise the doctor runs now.
        live: Whether that doctor run may call Intuit (ignored with `doctor_report`).
        on_progress: Passed to the doctor run.
        error_limit: How many of the latest failures to include.
        now: The bundle's creation time (default: now, UTC).

    Returns:
        The finished bundle; its text has been through `redact_text` with every keyring value
        of the profile as a known secret.
    """
    validate_profile_name(profile_name)
    created = now or datetime.now(timezone.utc)
    report = doctor_report or run_doctor(profile_name, live=live, on_progress=on_progress)
    secrets = _read_secrets(profile_name)
    lines = [
        "qbo-wizard support bundle",
        "=========================",
        _line("profile", profile_name),
        _line("created", created.strftime("%Y-%m-%dT%H:%M:%SZ")),
        "",
        INTRODUCTION,
    ]
    lines += _section("Versions and system", _system_lines(profile_name))
    profile: Profile | None = None
    if not profile_store(profile_name).exists():
        settings = [
            f"Profile {profile_name!r} has not been set up on this computer "
            f"(looked in {profile_dir(profile_name)})."
        ]
    else:
        try:
            profile = profile_store(profile_name).read()
            settings = _profile_lines(profile)
        except ConfigFileError as error:
            settings = [_damaged(error)]
    lines += _section("Profile settings", settings)
    lines += _section("Secrets in the keyring (fingerprints only)", secrets.lines)
    if profile is not None:
        lines += _section("Step progress", _step_lines(profile))
    lines += _section("Mapping", _mapping_lines(profile_name))
    lines += _section(
        f"Recent failures (newest first, up to {error_limit})",
        _error_lines(profile_name, error_limit),
    )
    lines += _section("Health checks (qbo-wizard doctor)", render_text(report).splitlines())
    text = "\n".join(lines) + "\n"
    return SupportBundle(
        profile_name=profile_name,
        created_at=created,
        text=redact_text(text, known_secrets=secrets.known),
        doctor=report,
    )


def write_bundle(bundle: SupportBundle, path: Path, *, replace: bool = False) -> Path:
    """Write the bundle to `path`, readable by its owner only (0600); returns the path.

    An existing file is replaced only with `replace`. The write is atomic: a temporary file
    in the same folder, then a rename, so an interrupted write leaves no half bundle.
    """
    path = path.expanduser()
    if path.is_dir():
        raise BundleNotWritten(f"{path} is a folder; give a file name for the bundle.")
    if path.exists() and not replace:
        raise BundleNotWritten(
            f"{path} already exists and was left as it is; choose another file name with -o."
        )
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise BundleNotWritten(f"The folder {folder} does not exist; nothing was written.")
    try:
        atomic_write_text(path, bundle.text, private_folder=False)
    except OSError as error:
        raise BundleNotWritten(
            f"Could not write {path} ({error.strerror}); nothing was written."
        ) from None
    return path
