"""A stand-in for the user's browser on the practice QuickBooks consent page.

Scripts that walk the wizard headlessly (screenshots, tests) use it where a person would click
Connect: open the consent URL, pick a company, approve, and follow the redirect like a browser.
Plain HTTP only; nothing of the wizard is imported.
"""

from __future__ import annotations

import html
import re
import threading
from urllib.parse import urljoin

import requests

_FORM_ACTION = re.compile(r"<form method='post' action='([^']*)'")
_ERROR_TEXT = re.compile(r"<p class='error'><strong>(.*?)</strong><br>(.*?)</p>", re.DOTALL)


class ConsentRefused(ValueError):
    """The consent page answered with an error page (as Intuit does for a company whose app
    another user already connected) instead of sending the browser back."""

    def __init__(self, status: int, page_text: str) -> None:
        super().__init__(f"the consent page refused (HTTP {status}): {page_text}")
        self.status = status
        self.page_text = page_text
        """What the error page says, as a person reads it (`Title: message`)."""


def _error_page_text(page: str) -> str:
    found = _ERROR_TEXT.search(page)
    if found is None:
        return ""
    return f"{html.unescape(found[1])}: {html.unescape(found[2])}"


def approve(authorize_url: str, realm_id: str, decision: str = "allow") -> str:
    """Consent on the simulator's page; returns the address the browser is sent to."""
    with requests.Session() as browser:
        page = browser.get(authorize_url, timeout=10)
        page.raise_for_status()
        match = _FORM_ACTION.search(page.text)
        if match is None:
            raise ValueError("the page at the authorize URL has no consent form")
        action = urljoin(authorize_url, html.unescape(match[1]))
        answer = browser.post(
            action, data={"decision": decision, "realm_id": realm_id}, allow_redirects=False
        )
    if answer.status_code != 302:
        refusal = _error_page_text(answer.text)
        if refusal:
            raise ConsentRefused(answer.status_code, refusal)
        raise ValueError(f"the consent form answered HTTP {answer.status_code}, not a redirect")
    return str(answer.headers["Location"])


class ConsentingBrowser:
    """Approves every consent page it is asked to open, then follows the redirect.

    `open(url)` returns at once (a browser opens in the background); the visit runs in a
    daemon thread. `opened` and `landed_on` record what happened.
    """

    def __init__(self, realm_id: str, *, only_under: str = "") -> None:
        self.realm_id = realm_id
        self.only_under = only_under
        self.opened: list[str] = []
        self.landed_on: list[str] = []

    def open(self, url: str, **_: object) -> None:
        self.opened.append(url)
        if self.only_under and not url.startswith(self.only_under):
            return

        def visit() -> None:
            location = approve(url, self.realm_id)
            self.landed_on.append(location)
            requests.get(location, timeout=10)

        threading.Thread(target=visit, name="consenting-browser", daemon=True).start()
