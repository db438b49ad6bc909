"""The status of a configured profile: one verdict and one line of why per area.

The wizard's status home shows this on every re-run; a `status` command or an integration can use
it too. Each area is checked by the feature that knows it: the connection and token expiry rows by
the doctor's checks, the mapping row by the mapping check, the last test row by what the $1.00 test
recorded. Checks may block (keyring, network): call `status_report` off the UI thread.
"""

from __future__ import annotations

from qbo_wizard.core.connection.credentials import MissingCredentials, load_credentials
from qbo_wizard.core.dollar_test.status import last_check_status
from qbo_wizard.core.health.area_status import AreaId, AreaStatus, StatusCheck, StatusOptions
from qbo_wizard.core.health.doctor import connection_status, token_expiry_status
from qbo_wizard.core.mapping.check import check_mapping_status
from qbo_wizard.core.problems import WizardError
from qbo_wizard.core.profile import Profile


def check_credentials(profile: Profile, options: StatusOptions) -> AreaStatus:
    """Keys: both are in the keyring (the keyring itself is usable)."""
    try:
        credentials = load_credentials(profile.name)
    except MissingCredentials:
        return AreaStatus("credentials", "problem", "No keys saved yet.", "credentials")
    return AreaStatus(
        "credentials",
        "ok",
        f"{profile.key_set.capitalize()} keys saved (client ID {credentials.hint}).",
        "credentials",
    )


# Each area's check, in the order the areas are shown.
STATUS_CHECKS: dict[AreaId, StatusCheck] = {
    "credentials": check_credentials,
    "connection": connection_status,
    "token-expiry": token_expiry_status,
    "mapping": check_mapping_status,
    "last-test": last_check_status,
}


def status_report(profile: Profile, options: StatusOptions | None = None) -> list[AreaStatus]:
    """Run every area's check; a check that fails becomes an `unknown` verdict, never a crash.

    Args:
        profile: The profile to check.
        options: Whether to go live, and the time to judge expiry dates against.

    Returns:
        One `AreaStatus` per area, in `STATUS_CHECKS` order.
    """
    options = options or StatusOptions()
    report: list[AreaStatus] = []
    for area, check in STATUS_CHECKS.items():
        try:
            report.append(check(profile, options))
        except WizardError as error:
            report.append(AreaStatus(area, "problem", str(error), wizard_why=error.in_wizard()))
        except Exception as error:  # a broken check must not hide the other areas
            report.append(
                AreaStatus(area, "unknown", f"Could not be checked ({type(error).__name__}).")
            )
    return report
