"""`qbo-wizard explain [--json] TEXT|-`: what a QuickBooks or Intuit error means and how to fix it.

Works offline and starts fast: it needs no profile, no keyring and no network, only the error
knowledge file.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from qbo_wizard.core.health.explain import Explanation, explain_all, find_intuit_tid
from qbo_wizard.core.problems import EXIT_OK, EXIT_PROBLEM, UsageError
from qbo_wizard.core.steps import step_by_id, step_ref

# Standard input is read in chunks; only its start and its end are kept, which is where
# explain looks in long input anyway, so a huge pipe cannot exhaust memory.
_CHUNK_BYTES = 1 << 20
_KEEP_HEAD_CHUNKS = 2
_KEEP_TAIL_CHUNKS = 2

NOT_RECOGNISED = (
    "No QuickBooks or Intuit error that qbo-wizard knows was found in that text. Paste the "
    "whole message, including any error code, JSON or XML around it. If it still is not "
    f"recognised, open the wizard's {step_ref('troubleshoot')} (Troubleshoot): it checks the "
    "connection's health "
    "and creates a support bundle for your integration's support team, with your recent "
    "errors and their intuit_tid but never a secret."
)


class NothingToExplain(UsageError):
    """No text was given."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """TEXT (several words are joined) or `-` for standard input, and --json."""
    parser.add_argument(
        "text",
        nargs="*",
        metavar="TEXT",
        help="the error message, in quotes; or - to read it from standard input",
    )
    parser.add_argument(
        "--json",
        action="store_true",
        help="print one JSON object for scripts instead of plain words",
    )
    parser.epilog = (
        "Exit codes: 0 the error was recognised, 1 nothing recognised, 2 no text given. "
        "Example: qbo-wizard explain 'errorCode=003200; statusCode=401'"
    )


def _read_stdin() -> str:
    stream = getattr(sys.stdin, "buffer", None)
    if stream is None:
        return ""
    if sys.stdin.isatty():
        print(
            "Paste the error, then press Ctrl+D (on Windows Ctrl+Z, then Enter).",
            file=sys.stderr,
        )
    head: list[bytes] = []
    tail: list[bytes] = []
    while chunk := stream.read(_CHUNK_BYTES):
        if len(head) < _KEEP_HEAD_CHUNKS:
            head.append(chunk)
        else:
            tail = [*tail, chunk][-_KEEP_TAIL_CHUNKS:]
    separator = [b"\n"] if tail else []
    return b"".join([*head, *separator, *tail]).decode("utf-8", "replace")


def _input_text(words: list[str]) -> str:
    if words == ["-"] or (not words and sys.stdin is not None and not sys.stdin.isatty()):
        text = _read_stdin()
    else:
        text = " ".join(words)
    if not text.strip():
        raise NothingToExplain(
            "Give the error to explain, for example: qbo-wizard explain "
            "'errorCode=003200; statusCode=401' — or use - and paste it on standard input."
        )
    return text


def _wrap(text: str, indent: str, first: str | None = None) -> str:
    import shutil  # for the plain-words answer only: --json needs neither
    import textwrap

    width = max(40, min(100, shutil.get_terminal_size((80, 24)).columns))
    return textwrap.fill(
        text,
        width=width,
        initial_indent=first if first is not None else indent,
        subsequent_indent=indent,
        break_on_hyphens=False,
        break_long_words=False,
    )


def _human(found: Explanation, also: list[Explanation]) -> str:
    heading = found.title
    if found.code is not None and found.code not in found.title:
        label = found.code if found.code.startswith("HTTP ") else f"error {found.code}"
        heading = f"{found.title} ({label})"
    lines = [_wrap(heading, ""), "", "Why this happens:"]
    lines += [_wrap(cause, "    ", "  - ") for cause in found.cause]
    lines += ["", "What to do:"]
    lines += [_wrap(step, "     ", f"  {n}. ") for n, step in enumerate(found.fix, 1)]
    lines.append("")
    if found.step is not None:
        step = step_by_id(found.step)
        lines.append(_wrap(f"Fix it in step {step.number} of the wizard: {step.title}.", "  ", ""))
    if found.detail:
        lines.append(_wrap(f"QuickBooks said: {found.detail}", "  ", ""))
    if found.intuit_tid:
        lines.append(
            _wrap(f"intuit_tid: {found.intuit_tid} (Intuit support uses this to find it)", "  ", "")
        )
    if also:
        others = "; ".join(f"{e.code} ({e.title})" if e.code else e.title for e in also)
        lines.append(_wrap(f"Also in the text: {others}.", "  ", ""))
    return "\n".join(lines)


def _json_object(found: list[Explanation], text: str) -> dict[str, Any]:
    if not found:
        return {
            "recognised": False,
            "code": None,
            "title": None,
            "cause": [],
            "fix": [],
            "step": None,
            "intuit_tid": find_intuit_tid(text),
            "message": NOT_RECOGNISED,
        }
    data = {"recognised": True, **found[0].to_json_dict()}
    data["also"] = [{"key": e.key, "code": e.code, "title": e.title} for e in found[1:]]
    return data


def run(args: argparse.Namespace) -> int:
    """Explain the error; exit 0 when recognised, 1 when not."""
    text = _input_text(list(args.text))
    found = explain_all(text)
    reconfigure = getattr(sys.stdout, "reconfigure", None)
    if reconfigure is not None:  # a detail in another alphabet must not crash a narrow console
        reconfigure(errors="replace")
    if args.json:
        print(json.dumps(_json_object(found, text), indent=2, ensure_ascii=False))
        return EXIT_OK if found else EXIT_PROBLEM
    if not found:
        print(f"qbo-wizard: {NOT_RECOGNISED}", file=sys.stderr)
        tid = find_intuit_tid(text)
        if tid:
            print(
                f"qbo-wizard: the text does carry intuit_tid {tid}; include it when you "
                "contact support.",
                file=sys.stderr,
            )
        return EXIT_PROBLEM
    print(_human(found[0], found[1:]))
    return EXIT_OK
