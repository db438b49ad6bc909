"""`explain` on error texts real users published, measured as a whole.

The texts live in `data/real_error_texts.yaml`, each with the public page it was copied from.
A text counts as right when `explain` names the expected code, the expected wizard step, the
expected knowledge entry where one is given, and the `intuit_tid` where the text carries one;
texts that are not QuickBooks Online errors count as right when nothing is recognised.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from qbo_wizard.core.health.explain import explain

CORPUS = Path(__file__).parent / "data" / "real_error_texts.yaml"
REQUIRED_SHARE = 0.95


def _corpus() -> list[dict[str, Any]]:
    data = yaml.safe_load(CORPUS.read_text(encoding="utf-8"))
    items: list[dict[str, Any]] = data["texts"]
    return items


def _miss(item: dict[str, Any]) -> str | None:
    """Why `explain` got this text wrong, or None when it got it right."""
    found = explain(item["text"])
    if item.get("expect") == "none":
        return None if found is None else f"recognised {found.key!r} in a text that is no error"
    if found is None:
        return "not recognised"
    wrong = []
    if found.code != item["code"]:
        wrong.append(f"code {found.code!r}, expected {item['code']!r}")
    if found.step != item["step"]:
        wrong.append(f"step {found.step!r}, expected {item['step']!r}")
    if "key" in item and found.key != item["key"]:
        wrong.append(f"entry {found.key!r}, expected {item['key']!r}")
    if "tid" in item and found.intuit_tid != item["tid"]:
        wrong.append(f"intuit_tid {found.intuit_tid!r}, expected {item['tid']!r}")
    return "; ".join(wrong) or None


def test_the_corpus_is_large_and_every_text_names_its_public_source() -> None:
    items = _corpus()
    assert len(items) >= 60
    for item in items:
        assert item["source"].startswith("https://github.com/"), item
        assert item["text"].strip(), item
        assert item.get("expect") == "none" or ("code" in item and "step" in item), item


def test_the_explainer_gets_at_least_95_percent_of_real_texts_right() -> None:
    items = _corpus()
    misses = [(item, why) for item in items if (why := _miss(item)) is not None]
    for item, why in misses:
        print(f"MISS {item['source']}: {why}\n     {item['text'][:160]!r}")
    right = len(items) - len(misses)
    print(f"{right} of {len(items)} real texts explained right ({right / len(items):.1%})")
    assert right / len(items) >= REQUIRED_SHARE
