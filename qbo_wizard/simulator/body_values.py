"""Reading the values of a request body the way QuickBooks does: trimmed text, the Id inside a
reference, amounts to the cent, and numbers as its messages write them."""

from __future__ import annotations

from typing import Any


def text(value: Any) -> str:
    """A string field without surrounding spaces, or "" for anything else."""
    return value.strip() if isinstance(value, str) else ""


def reference_id(value: Any) -> str:
    """The Id inside a reference such as {"value": "42", "name": "…"}, or ""."""
    if isinstance(value, dict):
        inner = value.get("value")
        return str(inner).strip() if inner not in (None, "") else ""
    return ""


def money(value: Any) -> float | None:
    """An amount rounded to cents, or None when the field is missing or not a number."""
    if isinstance(value, bool) or value in (None, ""):
        return None
    try:
        return round(float(value), 2)
    except (TypeError, ValueError):
        return None


def message_number(value: float) -> str:
    """A number as QuickBooks writes it in messages: 58, not 58.0."""
    return str(int(value)) if value == int(value) else str(value)
