"""Where each kind of QuickBooks lives: Intuit's sandbox, Intuit's production, or a simulator.

A profile's key set decides the Intuit environment (development keys reach sandbox companies,
production keys reach real ones). A simulator profile stores only the simulator's root URL; its
discovery document and API base come from `URL/_simulator/info`.

OAuth endpoints are never hard-coded here: intuit-oauth reads them from the discovery document,
as Intuit asks integrations to do.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests

from qbo_wizard.core.addresses import (  # re-exported: callers read them from here
    DEFAULT_LOOPBACK_PORT as DEFAULT_LOOPBACK_PORT,
)
from qbo_wizard.core.addresses import (
    LOOPBACK_PATH as LOOPBACK_PATH,
)
from qbo_wizard.core.addresses import (
    PLAYGROUND_REDIRECT_URI as PLAYGROUND_REDIRECT_URI,
)
from qbo_wizard.core.addresses import (
    PLAYGROUND_URL as PLAYGROUND_URL,
)
from qbo_wizard.core.problems import Fix, UsageError, WizardError
from qbo_wizard.core.profile import Environment, KeySet, Profile
from qbo_wizard.core.steps import step_ref

# Discovery documents, as spelled in Intuit's own Python client (intuitlib/config.py).
SANDBOX_DISCOVERY_URL = "https://developer.intuit.com/.well-known/openid_sandbox_configuration/"
PRODUCTION_DISCOVERY_URL = "https://developer.intuit.com/.well-known/openid_configuration/"


SIMULATOR_INFO_PATH = "/_simulator/info"
SIMULATOR_CONTROL_PATH = "/_simulator/control"
_SIMULATOR_TIMEOUT_SECONDS = 5.0


class EnvironmentProblem(WizardError):
    """The profile points somewhere the wizard cannot use (or cannot reach)."""


class UnknownKeySet(EnvironmentProblem, UsageError):
    """A key set name that is neither development nor production."""


@dataclass(frozen=True)
class Endpoints:
    """Where one environment's OAuth discovery document, Accounting API and web app are."""

    environment: Environment
    discovery_url: str
    api_base_url: str  # ends in /v3
    qbo_web_url: str  # root of the QuickBooks web app, for links to a transaction
    # The redirect URIs registered for each key set, when known (a simulator says; Intuit
    # does not, so the user registers them in the developer portal).
    redirect_uris: dict[str, tuple[str, ...]] | None = None

    def web_link(self, entity: str, object_id: str) -> str:
        """A link that opens one invoice, bill, customer or vendor in the QuickBooks web app."""
        pages = {
            "invoice": "invoice?txnId=",
            "bill": "bill?txnId=",
            "creditmemo": "creditmemo?txnId=",
            "customer": "customerdetail?nameId=",
            "vendor": "vendordetail?nameId=",
        }
        page = pages.get(entity.lower())
        if page is None:
            raise ValueError(f"no web page is known for {entity!r}")
        return f"{self.qbo_web_url}/app/{page}{object_id}"


SANDBOX = Endpoints(
    environment="sandbox",
    discovery_url=SANDBOX_DISCOVERY_URL,
    api_base_url="https://sandbox-quickbooks.api.intuit.com/v3",
    qbo_web_url="https://app.sandbox.qbo.intuit.com",
)
PRODUCTION = Endpoints(
    environment="production",
    discovery_url=PRODUCTION_DISCOVERY_URL,
    api_base_url="https://quickbooks.api.intuit.com/v3",
    qbo_web_url="https://app.qbo.intuit.com",
)


def intuit_environment(key_set: KeySet) -> Environment:
    """Development keys reach sandbox companies; production keys reach real companies."""
    return "production" if key_set == "production" else "sandbox"


def loopback_redirect_uri(port: int = DEFAULT_LOOPBACK_PORT) -> str:
    """The exact loopback redirect URI to register for development keys."""
    return f"http://localhost:{port}{LOOPBACK_PATH}"


def normalise_simulator_url(url: str) -> str:
    """The simulator's root URL without a trailing slash; refuse anything that is not http(s)."""
    cleaned = url.strip().rstrip("/")
    parts = urlsplit(cleaned)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise EnvironmentProblem(
            f"{url!r} is not a simulator address. Give its root URL, for example "
            "http://127.0.0.1:8080 (the simulator prints it when it starts)."
        )
    if parts.path or parts.query:
        raise EnvironmentProblem(
            f"{url!r} should be the simulator's root URL only, for example http://127.0.0.1:8080."
        )
    return cleaned


def _fetch_simulator_info(root: str) -> dict[str, Any]:
    try:
        response = requests.get(root + SIMULATOR_INFO_PATH, timeout=_SIMULATOR_TIMEOUT_SECONDS)
    except requests.RequestException:
        raise EnvironmentProblem(
            f"Could not reach the practice QuickBooks (simulator) at {root}. Check that it is "
            "still running",
            Fix(" (`qbo-wizard simulator` prints its address when it starts).", "."),
        ) from None
    try:
        info = response.json() if response.status_code == 200 else None
    except ValueError:
        info = None
    if not isinstance(info, dict) or not {"discovery_url", "api_base_url", "keys"} <= set(info):
        raise EnvironmentProblem(
            f"{root} answered, but not like a qbo-wizard simulator "
            f"(HTTP {response.status_code} from {SIMULATOR_INFO_PATH})."
        )
    return info


def simulator_info(url: str) -> dict[str, Any]:
    """The simulator's self-description (`GET URL/_simulator/info`).

    Read on every use, never cached: a simulator restarted on the same port has new keys.
    """
    return _fetch_simulator_info(normalise_simulator_url(url))


def simulator_control(url: str, action: str, **params: Any) -> dict[str, Any]:
    """Apply one control action on a running simulator (`POST URL/_simulator/control`).

    Demo mode uses it to rehearse failures (`scenario`, `advance_clock`, …); see the simulator
    contract in DESIGN.md for the actions.

    Raises:
        EnvironmentProblem: The simulator cannot be reached or refused the action.
    """
    root = normalise_simulator_url(url)
    try:
        response = requests.post(
            root + SIMULATOR_CONTROL_PATH,
            json={"action": action, **params},
            timeout=_SIMULATOR_TIMEOUT_SECONDS,
        )
    except requests.RequestException:
        raise EnvironmentProblem(
            f"Could not reach the practice QuickBooks (simulator) at {root}; nothing was changed."
        ) from None
    try:
        answer = response.json()
    except ValueError:
        answer = None
    if not isinstance(answer, dict):
        raise EnvironmentProblem(
            f"{root} answered HTTP {response.status_code}, not like a simulator."
        )
    if response.status_code != 200:
        refused = answer.get("error") or f"HTTP {response.status_code}"
        raise EnvironmentProblem(f"The practice QuickBooks refused {action!r}: {refused}.")
    return answer


def simulator_endpoints(url: str) -> Endpoints:
    """Endpoints of a running simulator."""
    root = normalise_simulator_url(url)
    info = simulator_info(root)
    keys = info.get("keys") or {}
    redirect_uris = {
        key_set: tuple(str(u) for u in (keys.get(key_set) or {}).get("redirect_uris", ()))
        for key_set in ("development", "production")
    }
    return Endpoints(
        environment="simulator",
        discovery_url=str(info["discovery_url"]),
        api_base_url=str(info["api_base_url"]).rstrip("/"),
        qbo_web_url=str(info.get("qbo_web_url") or root),
        redirect_uris=redirect_uris,
    )


def endpoints_for(profile: Profile) -> Endpoints:
    """The endpoints a profile talks to."""
    if profile.environment == "simulator":
        if not profile.simulator_url:
            raise EnvironmentProblem(
                f"Profile {profile.name!r} is set to use a simulator but has no simulator "
                "address. ",
                Fix(
                    "Run `qbo-wizard credentials --simulator URL` again.",
                    f"Save {step_ref('credentials')} again.",
                ),
            )
        return simulator_endpoints(profile.simulator_url)
    return PRODUCTION if profile.environment == "production" else SANDBOX


def describe(profile: Profile) -> str:
    """A few plain words about where a profile connects, for messages."""
    if profile.environment == "simulator":
        return f"the practice QuickBooks at {profile.simulator_url} ({profile.key_set} keys)"
    if profile.environment == "production":
        return "real QuickBooks companies (production keys)"
    return "sandbox companies (development keys)"


def check_key_set(value: str) -> KeySet:
    """Accept `development` or `production` (and a few obvious spellings)."""
    aliases: dict[str, KeySet] = {
        "development": "development",
        "dev": "development",
        "sandbox": "development",
        "production": "production",
        "prod": "production",
    }
    key_set = aliases.get(value.strip().lower())
    if key_set is None:
        raise UnknownKeySet(
            f"{value!r} is not a key set. Use 'development' (sandbox companies) or "
            "'production' (real companies)."
        )
    return key_set
