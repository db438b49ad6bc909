"""The HTML the simulator shows in a browser: Intuit's consent page, its error pages, and a small
control panel for rehearsing what can go wrong."""

from __future__ import annotations

from html import escape
from typing import Any

from qbo_wizard.simulator.scenarios import EVERYTHING_NORMAL, SCENARIOS

APP_NAME = "Practice Integration"
SIGNED_IN_AS = "Practice Admin (admin@practice-quickbooks.example)"

_STYLE = """
body { font-family: system-ui, sans-serif; background: #f4f5f8; color: #393a3d; margin: 0; }
header { background: #2ca01c; color: white; padding: 12px 24px; font-weight: 600; }
main { max-width: 560px; margin: 32px auto; background: white; padding: 24px 32px;
       border-radius: 6px; box-shadow: 0 1px 4px rgba(0,0,0,.15); }
label.company { display: block; padding: 8px; border: 1px solid #dcdcdc; margin: 6px 0;
                border-radius: 4px; }
.tag { font-size: 12px; color: #6b6c72; }
.error { border-left: 4px solid #d52b1e; padding: 8px 12px; background: #fdf1f0; }
button { padding: 8px 20px; margin-right: 8px; border-radius: 4px; border: 1px solid #8d9096;
         background: white; cursor: pointer; }
button.primary { background: #2ca01c; color: white; border-color: #2ca01c; }
code { background: #f4f5f8; padding: 1px 4px; }
"""


def _page(title: str, body: str) -> str:
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head><body>"
        "<header>intuit quickbooks &middot; practice</header>"
        f"<main>{body}</main></body></html>"
    )


def consent_page(
    action: str,
    companies: list[dict[str, str]],
    scopes: list[str],
    environment: str,
    needs_company: bool = True,
) -> str:
    """Company picker with Connect / Cancel; the form posts back to `action` (same URL)."""
    if not needs_company:
        choices = ""
    elif companies:
        choices = "".join(
            "<label class='company'>"
            f"<input type='radio' name='realm_id' value='{escape(c['realm_id'])}'"
            f"{' checked' if i == 0 else ''}> {escape(c['name'])} "
            f"<span class='tag'>({escape(c['environment'])} company, {escape(c['country'])},"
            f" ID {escape(c['realm_id'])})</span></label>"
            for i, c in enumerate(companies)
        )
    else:
        choices = (
            "<p class='error'>You don't have any "
            f"{escape(environment)} companies that this app can connect to.</p>"
        )
    scope_list = "".join(f"<li><code>{escape(s)}</code></li>" for s in scopes)
    body = (
        f"<h1>Connect {escape(APP_NAME)} to QuickBooks</h1>"
        f"<p>Signed in as {escape(SIGNED_IN_AS)}.</p>"
        f"<p>{escape(APP_NAME)} is asking for access to:</p><ul>{scope_list}</ul>"
        f"<form method='post' action='{escape(action)}'>"
        f"{'<p>Choose a company:</p>' if needs_company else ''}{choices}"
        "<p><button class='primary' type='submit' name='decision' value='allow'"
        f"{'' if companies or not needs_company else ' disabled'}>Connect</button>"
        "<button type='submit' name='decision' value='deny'>Cancel</button></p>"
        "</form>"
    )
    return _page("Connect to QuickBooks", body)


def error_page(title: str, message: str, details: dict[str, str] | None = None) -> str:
    rows = "".join(
        f"<li>{escape(k)}: <code>{escape(v)}</code></li>" for k, v in (details or {}).items()
    )
    body = (
        "<h1>Oops! An error occurred.</h1>"
        f"<p class='error'><strong>{escape(title)}</strong><br>{escape(message)}</p>"
        f"{f'<ul>{rows}</ul>' if rows else ''}"
    )
    return _page(title, body)


def _record_summary(entity: str, record: dict[str, Any]) -> str:
    if entity in ("Customer", "Vendor"):
        state = "active" if record.get("Active", True) else "inactive"
        return f"<p>{escape(str(record.get('DisplayName', '')))} ({state})</p>"
    party = record.get("CustomerRef") or record.get("VendorRef") or {}
    voided = entity == "Invoice" and "Voided" in str(record.get("PrivateNote", ""))
    rows = "".join(
        f"<li>{escape(str(line.get('Description', line.get('DetailType', ''))))}: "
        f"{float(line.get('Amount', 0)):.2f}</li>"
        for line in record.get("Line", [])
        if line.get("DetailType") != "SubTotalLineDetail"
    )
    currency = (record.get("CurrencyRef") or {}).get("value", "")
    return (
        f"<p>{escape(str(party.get('name', '')))}, dated {escape(str(record.get('TxnDate', '')))}"
        f"{' &middot; <strong>Voided</strong>' if voided else ''}</p>"
        f"<ul>{rows}</ul><p>Total: {float(record.get('TotalAmt', 0)):.2f} {escape(currency)}</p>"
    )


def record_page(entity: str, record_id: str, found: list[tuple[str, dict[str, Any] | None]]) -> str:
    """What a QuickBooks link to a transaction or name shows: the record in each company that
    has one with this Id (`None`: it was deleted there)."""
    if not found:
        body = (
            f"<h1>{escape(entity)} {escape(record_id)}</h1>"
            f"<p class='error'>No company in the practice QuickBooks has this {escape(entity)}."
            "</p>"
        )
        return _page(f"{entity} not found", body)
    sections = []
    for company, record in found:
        if record is None:
            sections.append(f"<h2>{escape(company)}</h2><p>Deleted.</p>")
            continue
        number = record.get("DocNumber") or record.get("Id", record_id)
        sections.append(
            f"<h2>{escape(company)}: {escape(entity)} {escape(str(number))}</h2>"
            + _record_summary(entity, record)
        )
    return _page(f"{entity} {record_id}", "".join(sections))


# The control panel's buttons: "Everything normal" first, then each failure.
SCENARIO_LABELS = {
    scenario.name: scenario.title
    for scenario in (EVERYTHING_NORMAL, *(s for s in SCENARIOS if s is not EVERYTHING_NORMAL))
}


def control_panel(info: dict[str, Any], state: dict[str, Any]) -> str:
    """Buttons that post control actions, for rehearsing failures during a demo."""
    options = "".join(
        f"<option value='{escape(c['realm_id'])}'>{escape(c['name'])}</option>"
        for c in info["companies"]
    )
    buttons = "".join(
        f"<button type='submit' name='name' value='{escape(name)}'>{escape(label)}</button><br>"
        for name, label in SCENARIO_LABELS.items()
    )
    active = "".join(
        f"<li>{escape(realm)}: {escape(', '.join(names))}</li>"
        for realm, names in state["scenarios"].items()
        if names
    )
    body = (
        "<h1>Practice QuickBooks: control panel</h1>"
        f"<p>Simulated clock is {escape(str(state['clock_offset_seconds']))} s ahead.</p>"
        f"<p>Active scenarios:</p><ul>{active or '<li>none</li>'}</ul>"
        "<form method='post' action='/_simulator/panel'>"
        "<input type='hidden' name='action' value='scenario'>"
        f"<p>Company: <select name='realm_id'><option value=''>all companies</option>{options}"
        f"</select></p>{buttons}</form>"
        "<form method='post' action='/_simulator/panel'>"
        "<input type='hidden' name='action' value='advance_clock'>"
        "<p><button type='submit' name='seconds' value='3600'>Advance clock 1 hour</button>"
        "<button type='submit' name='seconds' value='86400'>Advance clock 1 day</button>"
        "<button type='submit' name='seconds' value='8726400'>Advance clock 101 days</button>"
        "</p></form>"
    )
    return _page("Practice QuickBooks control panel", body)
