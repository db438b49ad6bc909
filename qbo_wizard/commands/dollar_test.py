"""`qbo-wizard test`: post the $1.00 test invoice and carrier bill, then void and delete them.

    qbo-wizard test [--no-cleanup] [--cleanup-only] [--confirm-production NAME] [--json]

Exit codes for support scripts: 0 both documents posted (and cleaned up, unless
`--no-cleanup`), 1 a problem (each one explained in the output), 2 a production company without
`--confirm-production`, 4 the connection must be made again (`qbo-wizard login`).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TextIO

from qbo_wizard.core.connection.api import QboApi
from qbo_wizard.core.dollar_test.plan import (
    DollarCheckPlan,
    confirmation_matches,
    plan_dollar_check,
    production_warning,
)
from qbo_wizard.core.dollar_test.results import (
    DocumentResult,
    DollarCheckProblem,
    DollarCheckProgress,
    DollarCheckResult,
    ProgressCallback,
)
from qbo_wizard.core.dollar_test.run import clean_up_check_documents, run_dollar_check
from qbo_wizard.core.problems import EXIT_OK
from qbo_wizard.core.steps import step_by_id


def add_arguments(parser: argparse.ArgumentParser) -> None:
    cleanup = parser.add_mutually_exclusive_group()
    cleanup.add_argument(
        "--no-cleanup",
        action="store_true",
        help="keep the test invoice and bill (to look at them in QuickBooks); "
        "`--cleanup-only` removes them later",
    )
    cleanup.add_argument(
        "--cleanup-only",
        action="store_true",
        help="post nothing: void / delete the test documents an earlier run left behind",
    )
    parser.add_argument(
        "--confirm-production",
        metavar="NAME",
        help="the company's name, to allow real test documents in a production company",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object for scripts")
    parser.epilog = (
        "Exit codes: 0 passed, 1 a problem (explained), 2 production needs "
        '--confirm-production "COMPANY NAME", 4 reconnect required.'
    )


def run(args: argparse.Namespace) -> int:
    api = QboApi.for_profile(args.profile)
    progress = _progress() if not args.json else None
    if args.cleanup_only:
        result = clean_up_check_documents(args.profile, api=api, on_progress=progress)
    else:
        plan = plan_dollar_check(args.profile, api)
        confirmation = args.confirm_production
        if plan.production and not confirmation_matches(confirmation, plan.company_name):
            confirmation = _ask_for_confirmation(plan) if confirmation is None else confirmation
        result = run_dollar_check(
            args.profile,
            api=api,
            plan=plan,
            cleanup=not args.no_cleanup,
            confirm_production=confirmation,
            on_progress=progress,
        )
    if args.json:
        print(json.dumps(result.to_json(), indent=2, ensure_ascii=False))
    else:
        _print_result(result, cleanup_only=args.cleanup_only, out=sys.stdout)
    return result.exit_code


def _ask_for_confirmation(plan: DollarCheckPlan) -> str | None:
    """On a terminal, ask for the company's name; elsewhere leave it to the flag."""
    if not (sys.stdin.isatty() and sys.stderr.isatty()):
        return None
    print(production_warning(plan.company_name), file=sys.stderr)
    # The question goes to stderr so that `--json` output on stdout stays one JSON object.
    print("Company name: ", end="", file=sys.stderr, flush=True)
    typed = sys.stdin.readline()
    return typed.strip() or None


def _progress() -> ProgressCallback | None:
    """Progress lines on stderr, only when someone is watching."""
    if not sys.stderr.isatty():
        return None

    def show(step: DollarCheckProgress) -> None:
        print(f"[{step.index}/{step.total}] {step.message}…", file=sys.stderr)

    return show


def _marks(out: TextIO) -> tuple[str, str]:
    """✓ and ✗ where the output can show them, plain words where it cannot."""
    try:
        "✓✗".encode(out.encoding or "ascii")
    except (LookupError, UnicodeEncodeError):
        return "OK", "FAILED"
    return "✓", "✗"


def _print_problem(problem: DollarCheckProblem, out: TextIO, indent: str = "    ") -> None:
    if problem.title and problem.detail:
        print(f"{indent}QuickBooks said: {problem.detail}", file=out)
    elif problem.title:
        print(f"{indent}{problem.message}", file=out)
    for cause in problem.cause[:2]:
        print(f"{indent}Why: {cause}", file=out)
    for number, fix in enumerate(problem.fix, start=1):
        print(f"{indent}{number}. {fix}", file=out)
    if problem.step:
        step = step_by_id(problem.step)
        where = f"Fix it in step {step.number} ({step.title})"
        if problem.line_id:
            where += f", line '{problem.line_id}'"
        print(f"{indent}{where}.", file=out)
    if problem.intuit_tid:
        print(f"{indent}Intuit's reference (intuit_tid): {problem.intuit_tid}", file=out)


def _print_document(document: DocumentResult, out: TextIO) -> None:
    good, bad = _marks(out)
    line = f" ({document.line_label})" if document.line_label else ""
    if document.status == "posted":
        again = " (the earlier attempt's document)" if document.resent else ""
        print(
            f"{good} {document.kind} {document.number}: {document.amount_text()}{line}{again}",
            file=out,
        )
        if document.link:
            print(f"    {document.link}", file=out)
    elif document.status == "skipped":
        print(f"{good} {document.kind}: not needed for this integration", file=out)
    elif document.status == "not-tried":
        print(f"{bad} {document.kind}{line}: not tried (see the problem above)", file=out)
    elif document.problem is not None:
        print(f"{bad} {document.kind}{line}: {document.problem.headline()}", file=out)
        _print_problem(document.problem, out)


def _print_result(result: DollarCheckResult, *, cleanup_only: bool, out: TextIO) -> None:
    _, bad = _marks(out)
    company = result.company_name or "the connected company"
    title = "Cleaning up $1.00 test documents" if cleanup_only else "$1.00 test"
    print(f"{title} in {company} (company {result.realm_id})", file=out)
    if result.problem is not None:
        print(f"{bad} {result.problem.headline()}", file=out)
        _print_problem(result.problem, out)
    if result.earlier_cleanup:
        label = "Cleanup" if cleanup_only else "Left by an earlier test"
        for outcome in result.earlier_cleanup:
            print(f"{label}: {outcome.describe()}.", file=out)
            if outcome.problem and outcome.problem is not result.problem:
                _print_problem(outcome.problem, out)
    elif cleanup_only and result.problem is None:
        print("Nothing to clean up: no test document is waiting.", file=out)
    for document in result.documents:
        _print_document(document, out)
    for document in result.documents:
        if document.cleanup is not None:
            print(f"Cleanup: {document.cleanup.describe()}.", file=out)
            if document.cleanup.problem:
                _print_problem(document.cleanup.problem, out)
    if any(d.cleanup and d.cleanup.status == "kept" for d in result.documents):
        print(
            "The test documents stay in QuickBooks; `qbo-wizard test --cleanup-only` voids the "
            "invoice and deletes the bill when you are done looking at them.",
            file=out,
        )
    if result.pending_cleanup:
        print(
            "Some test documents are still in QuickBooks; run `qbo-wizard test --cleanup-only` "
            "(or the test again) to void / delete them.",
            file=out,
        )
    print("Result: passed." if result.exit_code == EXIT_OK else "Result: FAILED.", file=out)
