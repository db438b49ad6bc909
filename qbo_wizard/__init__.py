"""qbo-wizard: connect an integration to QuickBooks Online, step by step.

For Python integrations that share the wizard's connection::

    import qbo_wizard

    api = qbo_wizard.connection("default")   # the profile set up with the wizard
    api.company_info()["CompanyName"]
    api.query_all("Account", where="Active = true")

Tokens are refreshed only when needed, one process at a time, and the new refresh token is
saved to the keyring before it is used, so integrations and the wizard can run side by side.
Integrations in other languages can run `qbo-wizard token --profile NAME` instead.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from qbo_wizard.core.connection.api import QboApi

__version__ = "0.1.0"


def connection(profile: str = "default") -> QboApi:
    """The QuickBooks Online Accounting API of the company `profile` is connected to.

    Raises `qbo_wizard.core.problems.WizardError` subclasses with plain messages: not connected
    yet, keyring unavailable, reconnect required (`exit_code` 4), handed to a hosted
    integration's vendor (`ConnectionHandedOff`, naming who holds it now), and `QboApiError` for
    calls QuickBooks refuses.
    """
    from qbo_wizard.core.connection.api import connection as open_connection

    return open_connection(profile)
