"""`qbo-wizard mapping`: check, show, export and import the line-item mapping of step 7.

    qbo-wizard mapping check [--json] [--cached] [--update]   re-check against QuickBooks
    qbo-wizard mapping show                                   print the saved mapping
    qbo-wizard mapping export FILE [--force]                  copy it to a file
    qbo-wizard mapping import FILE [--create-items]           bring one in, remapped by name
    qbo-wizard mapping integrations                           the built-in integration profiles

`check` exits 1 when any line is broken or not mapped yet, so scripts and monitoring can use it.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from qbo_wizard.core.line_kinds import LINE_KINDS, line_kind
from qbo_wizard.core.mapping.check import accept_changes
from qbo_wizard.core.mapping.company_lists import ProgressCallback, QboClient
from qbo_wizard.core.mapping.file import SavedMapping, load_saved_mapping, mapping_path
from qbo_wizard.core.mapping.integrations import builtin_integrations, load_integration
from qbo_wizard.core.mapping.report import LineReport, MappingReport
from qbo_wizard.core.mapping.session import open_mapping_session
from qbo_wizard.core.mapping.transfer import ImportReport, export_mapping, import_mapping
from qbo_wizard.core.problems import EXIT_OK, EXIT_PROBLEM, WizardError
from qbo_wizard.core.steps import step_ref

_STATUS_WORDS = {
    "ok": "ok",
    "warning": "warning",
    "broken": "BROKEN",
    "unmapped": "not mapped",
    "unused": "unused",
}
_OUTCOME_WORDS = {
    "kept": "kept",
    "remapped": "matched by name",
    "created": "created",
    "unused": "unused",
    "not-matched": "NOT MATCHED",
    "refused": "REFUSED",
    "unknown-line": "skipped",
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="mapping_action", metavar="ACTION", required=True)
    check = actions.add_parser(
        "check",
        help="re-check the saved mapping against the live QuickBooks company",
        description="Re-check every mapped line against the live company: deleted or inactive "
        "accounts and items, changed account types, items whose income account changed. "
        "Exits 1 when a line is broken or not mapped yet.",
    )
    check.add_argument("--json", action="store_true", help="print the report as JSON")
    check.add_argument(
        "--cached",
        action="store_true",
        help="use the lists read last time instead of reading them again (no QuickBooks calls "
        "when they are there)",
    )
    check.add_argument(
        "--update",
        action="store_true",
        help="accept changes that are still within the rules (renames, an allowed new type, a "
        "new income account) and save the mapping again",
    )
    actions.add_parser("show", help="print the saved mapping (no QuickBooks calls)")
    export = actions.add_parser("export", help="write the saved mapping to FILE")
    export.add_argument("file", metavar="FILE", type=Path)
    export.add_argument("--force", action="store_true", help="replace FILE if it exists")
    importing = actions.add_parser(
        "import",
        help="bring in a mapping FILE, re-checked and remapped by name for this company",
    )
    importing.add_argument("file", metavar="FILE", type=Path)
    importing.add_argument(
        "--create-items",
        action="store_true",
        help="create a Service item for an invoice line whose item is missing here, on the "
        "income account of the same name",
    )
    actions.add_parser("integrations", help="list the built-in integration profiles")
    for action in actions.choices.values():
        # `qbo-wizard mapping check --profile acme` reads naturally; accept it after the action.
        action.add_argument(
            "--profile", metavar="NAME", default=argparse.SUPPRESS, help="which saved setup"
        )


def run(args: argparse.Namespace) -> int:
    action = args.mapping_action
    if action == "show":
        return _show(args.profile)
    if action == "export":
        saved = export_mapping(args.profile, args.file, overwrite=args.force)
        print(f"Exported the mapping for {_company(saved)} to {args.file}.")
        return EXIT_OK
    if action == "integrations":
        return _integrations()
    client = _open_connection(args.profile)
    if action == "import":
        report = import_mapping(
            client,
            args.profile,
            args.file,
            on_progress=_progress(),
            create_items=args.create_items,
        )
        return _print_import(report)
    if action == "check":
        return _check(client, args)
    raise WizardError(f"Unknown mapping action {action!r}.")  # argparse prevents this


def _open_connection(profile: str) -> QboClient:
    """The profile's API client: safe token refresh, retries and backoff when throttled."""
    from qbo_wizard import connection

    return connection(profile)


def _progress() -> ProgressCallback | None:
    """A progress line on stderr while lists load, only when someone is watching."""
    if not sys.stderr.isatty():
        return None

    def show(loaded: int, total: int | None) -> None:
        end = "\n" if total is not None else ""
        print(f"\rReading accounts, items and tax codes… {loaded:,}", end=end, file=sys.stderr)

    return show


def _company(saved: SavedMapping) -> str:
    return saved.company_name or f"company {saved.realm_id}"


def _check(client: QboClient, args: argparse.Namespace) -> int:
    session = open_mapping_session(
        lambda: client, args.profile, refresh=not args.cached, on_progress=_progress()
    )
    report = session.checked_report()
    if args.update and report.lists is not None and not report.problems:
        if any(f.severity == "refused" for r in report.lines for f in r.findings):
            print(
                "Some lines break a rule, so no change was accepted; fix those lines first.",
                file=sys.stderr,
            )
        else:
            accept_changes(args.profile, report)
            session = open_mapping_session(lambda: client, args.profile, lists=report.lists)
            report = session.checked_report()
    if args.json:
        print(json.dumps(report.to_json(), indent=2))
    else:
        _print_report(report)
    return EXIT_OK if report.ok else EXIT_PROBLEM


def _print_report(report: MappingReport) -> None:
    if report.saved is not None and report.integration is not None:
        print(
            f"Mapping for {_company(report.saved)} ({report.integration.name}), checked "
            "against QuickBooks:"
        )
    for problem in report.problems:
        print(f"  {problem}")
    for line in report.lines:
        _print_line(line)
    print(f"Result: {report.summary()}")
    if any(line.status == "unmapped" for line in report.lines):
        print(f"Map the remaining lines in the wizard's {step_ref('map')} (run `qbo-wizard`).")


def _print_line(line: LineReport) -> None:
    status = _STATUS_WORDS[line.status]
    target = f" → {line.target_name}" if line.target_name else ""
    print(f"  {status:<10} {line.line.label}{target}")
    for finding in line.findings:
        print(f"             {finding.reason}.")
        if finding.fix and finding.severity != "note":
            print(f"             Fix: {finding.fix}.")


def _show(profile: str) -> int:
    saved = load_saved_mapping(profile)
    if saved is None:
        raise WizardError(
            f"The profile '{profile}' has no saved mapping yet; map the lines in {step_ref('map')} "
            "(run `qbo-wizard`)."
        )
    integration = load_integration(saved.integration)
    print(f"Mapping for {_company(saved)} ({integration.name}), saved {saved.saved_at}")
    print(f"File: {mapping_path(profile)}")
    for line in integration.lines:
        entry = saved.lines.get(line.id)
        if entry is None or (entry.target is None and not entry.unused):
            print(f"  {line.label}: not mapped yet")
            continue
        if entry.unused:
            print(f"  {line.label}: unused")
            continue
        assert entry.target is not None
        where = entry.target.name or entry.target.id
        extra = ""
        if entry.income_account is not None:
            extra = f" (sales post to {entry.income_account.name or entry.income_account.id})"
        tax = f", tax code {entry.tax_code.name}" if entry.tax_code is not None else ""
        print(f"  {line.label} → {where}{extra}{tax}")
    return EXIT_OK


def _print_import(report: ImportReport) -> int:
    saved = report.saved
    print(f"Imported into {_company(saved)}:")
    for line in report.lines:
        detail = f": {line.detail}" if line.detail else ""
        print(f"  {_OUTCOME_WORDS[line.outcome]:<16} {line.label}{detail}")
    if report.backup is not None:
        print(f"The previous mapping was kept as {report.backup}.")
    if report.complete:
        print("Every line was matched and checked; the mapping is saved.")
        return EXIT_OK
    print(
        f"{len(report.unresolved)} line(s) could not be matched; the rest is saved. Map those "
        f"in the wizard's {step_ref('map')} (run `qbo-wizard`)."
    )
    return EXIT_PROBLEM


def _integrations() -> int:
    for integration in builtin_integrations():
        counts = ", ".join(
            f"{len(integration.lines_of_kind(kind))} {line_kind(kind).document} lines"
            for kind in LINE_KINDS
        )
        print(f"{integration.id:<24} {integration.name}: {counts}")
    print("Your own profile file can be used too (see the README, 'Mapping your line items').")
    return EXIT_OK
