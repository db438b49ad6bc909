"""What every benchmark shares: the result record, medians and percentiles, child processes.

Each figure is a ratio against a baseline measured in the same run, with product and baseline
runs interleaved (A B A B …) so that a noisy neighbour slows both alike.
"""

from __future__ import annotations

import atexit
import functools
import json
import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
QBO_WIZARD = str(Path(sys.executable).with_name("qbo-wizard"))


@dataclass
class Result:
    """One benchmark's figures; `ratio <= target` means met (when a target is set)."""

    name: str
    title: str
    value: float
    baseline: float
    unit: str
    target: float | None
    note: str
    # What the target is compared with: "ratio" (value / baseline) or "absolute" (the value).
    target_of: str = "ratio"
    extra: dict[str, Any] = field(default_factory=dict)
    met_override: bool | None = None  # for benchmarks with a second condition (e.g. calls)

    @property
    def ratio(self) -> float:
        return self.value / self.baseline if self.baseline else math.inf

    @property
    def met(self) -> bool | None:
        if self.met_override is not None:
            return self.met_override
        if self.target is None:
            return None
        compared = self.ratio if self.target_of == "ratio" else self.value
        if self.target_of == "absolute":
            return compared < self.target
        return compared <= self.target

    @classmethod
    def from_json(cls, name: str, data: dict[str, Any]) -> Result:
        """A result as `to_json` wrote it (for rebuilding the table from results.json)."""
        known = {"title", "value", "baseline", "unit", "target", "note", "target_of"}
        extra = {k: v for k, v in data.items() if k not in known | {"ratio", "met"}}
        result = cls(name=name, **{k: v for k, v in data.items() if k in known}, extra=extra)
        if data.get("met") is not None and data.get("met") != result.met:
            result.met_override = bool(data["met"])
        return result

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        for key in ("name", "title", "met_override", "extra"):
            data.pop(key)
        data["value"] = round(self.value, 4)
        data["baseline"] = round(self.baseline, 4)
        data["ratio"] = round(self.ratio, 3)
        data["met"] = self.met
        data.update(self.extra)
        return {"title": self.title, **data}


def median(values: Sequence[float]) -> float:
    return float(statistics.median(values))


def percentile(values: Sequence[float], fraction: float) -> float:
    """The value below which `fraction` of the values lie (nearest-rank)."""
    ordered = sorted(values)
    if not ordered:
        raise ValueError("no values")
    rank = max(1, math.ceil(fraction * len(ordered)))
    return float(ordered[rank - 1])


def interleaved(
    runs: int,
    product: Callable[[], float],
    baseline: Callable[[], float],
    *,
    warm_up: bool = True,
) -> tuple[list[float], list[float]]:
    """Run product and baseline alternately (starting with each in turn); their samples.

    With `warm_up`, each runs once first, untimed, so both start with compiled bytecode and
    warm file caches.
    """
    if warm_up:
        product()
        baseline()
    products: list[float] = []
    baselines: list[float] = []
    for index in range(runs):
        if index % 2 == 0:
            products.append(product())
            baselines.append(baseline())
        else:
            baselines.append(baseline())
            products.append(product())
    return products, baselines


# Child processes keep their compiled bytecode here, outside the source tree: an installed copy
# has its .pyc files, and timing a start-up that compiles every module would measure the
# compiler (PYTHONDONTWRITEBYTECODE, when set, would make every run do that).
PYCACHE = Path(tempfile.gettempdir()) / "qbo-wizard-benchmarks-pycache"


@functools.cache
def _homes() -> Path:
    """One folder for every child's throwaway config home, removed when this process ends."""
    folder = Path(tempfile.mkdtemp(prefix="qbo-bench-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return folder


def child_environment(home: Path | None = None, **extra: str) -> dict[str, str]:
    """The environment for a child process: a throwaway config home, nothing from the user's."""
    environment = dict(os.environ)
    environment["QBO_WIZARD_HOME"] = str(home or tempfile.mkdtemp(dir=_homes()))
    environment["PYTHONPYCACHEPREFIX"] = str(PYCACHE)
    environment.pop("PYTHONDONTWRITEBYTECODE", None)
    environment.pop("PYTHONPROFILEIMPORTTIME", None)
    environment.update(extra)
    return environment


def timed_command(command: Sequence[str], environment: dict[str, str]) -> float:
    """Seconds from starting `command` to its exit; the command must succeed."""
    started = time.perf_counter()
    done = subprocess.run(
        command, env=environment, capture_output=True, text=True, timeout=120, check=False
    )
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({done.returncode}): {done.stderr[-2000:]}")
    return elapsed


def run_probe(mode: str, environment: dict[str, str], *extra: str) -> dict[str, Any]:
    """Run `start_probe.py MODE` and return what it reported, with `started_at` added.

    `started_at` is `time.monotonic()` just before the child was started; the probe reports
    its own `time.monotonic()` readings (one system-wide clock on Linux and macOS).
    """
    with tempfile.NamedTemporaryFile("r", suffix=".json", delete=False) as report:
        path = Path(report.name)
    try:
        command = [PYTHON, str(ROOT / "benchmarks" / "start_probe.py"), mode, str(path), *extra]
        started_at = time.monotonic()
        done = subprocess.run(
            command, env=environment, capture_output=True, text=True, timeout=180, check=False
        )
        text = path.read_text(encoding="utf-8")
        if done.returncode != 0 or not text:
            raise RuntimeError(
                f"the {mode} probe failed ({done.returncode}): {done.stderr[-3000:]}"
            )
        data: dict[str, Any] = json.loads(text)
    finally:
        path.unlink(missing_ok=True)
    data["started_at"] = started_at
    return data
