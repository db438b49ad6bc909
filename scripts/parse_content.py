#!/usr/bin/env python3
"""Write `qbo_wizard/content/parsed.json`: the shipped YAML content, parsed ahead of time.

    python scripts/parse_content.py          # write it
    python scripts/parse_content.py --check  # exit 1 if it is out of date

Run it after editing a YAML file under `qbo_wizard/content/` (steps/*.yaml, errors.yaml); the
wizard parses an edited file itself until then, and a test fails.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from qbo_wizard.core.content_sources import parsed_content_text  # noqa: E402
from qbo_wizard.core.parsed_content import PARSED_FILE  # noqa: E402


def main(argv: list[str]) -> int:
    text = parsed_content_text()
    if argv == ["--check"]:
        current = PARSED_FILE.read_text(encoding="utf-8") if PARSED_FILE.exists() else ""
        if current != text:
            print(f"{PARSED_FILE} is out of date: run python scripts/parse_content.py")
            return 1
        return 0
    PARSED_FILE.write_text(text, encoding="utf-8")
    print(f"wrote {PARSED_FILE}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
