"""Check the code's shape: no import cycle among qbo_wizard's modules, no module over 700 lines,
one owner of each profile's file, and step progress written in one module.

Import-linter's contracts keep the layers and each package's sub-packages one-way; this check goes
down to single modules, counting imports inside functions (grimp sees them) and the modules the
app loads by name (the step screens' table and the command table). Only the profile store reads
and writes profile.yaml, and only `core/progress.py` writes a step's state. Run it with the
project's Python: `.venv/bin/python scripts/check_structure.py`. Exits 1 and names what to fix.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterable
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parent.parent
MAX_LINES = 700
# The profile file's readers and writers, and the only modules that may use them.
PROFILE_FILE_ACCESS = {"load_profile", "save_profile", "stage_profile"}
PROFILE_OWNERS = {"qbo_wizard/core/profile.py", "qbo_wizard/core/profile_store.py"}
PROGRESS_WRITER = "qbo_wizard/core/progress.py"


def module_graph() -> dict[str, set[str]]:
    """Every qbo_wizard module -> the qbo_wizard modules it imports, directly or by name."""
    sys.path.insert(0, str(ROOT))
    from qbo_wizard.cli import COMMANDS
    from qbo_wizard.tui.screens import STEP_SCREENS

    graph = grimp.build_graph("qbo_wizard")
    edges = {
        module: set(graph.find_modules_directly_imported_by(module)) for module in graph.modules
    }
    edges["qbo_wizard.cli"] |= {f"qbo_wizard.commands.{module}" for module, _ in COMMANDS.values()}
    edges["qbo_wizard.tui.screens"] |= {
        f"qbo_wizard.tui.screens.{target.partition(':')[0]}" for target in STEP_SCREENS.values()
    }
    return edges


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The groups of modules that import one another in a ring (Tarjan's strongly connected
    components of more than one module, or a module importing itself)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0

    def visit(start: str) -> None:
        nonlocal counter
        # Iterative, so a deep import chain cannot hit the recursion limit.
        work: list[tuple[str, Iterable[str]]] = [(start, iter(sorted(edges.get(start, ()))))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(iter(children), None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                group: list[str] = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                if len(group) > 1 or node in edges.get(node, ()):
                    found.append(sorted(group))

    for module in sorted(edges):
        if module not in index:
            visit(module)
    return found


def long_modules() -> list[tuple[str, int]]:
    """Modules over the line limit, longest first."""
    sizes = [
        (str(path.relative_to(ROOT)), len(path.read_text(encoding="utf-8").splitlines()))
        for path in (ROOT / "qbo_wizard").rglob("*.py")
    ]
    return sorted(
        ((name, lines) for name, lines in sizes if lines > MAX_LINES), key=lambda s: -s[1]
    )


def second_owners() -> list[str]:
    """Places outside the profile store that read or write profile.yaml, or write a step's
    state outside `core/progress.py`."""
    found = []
    for path in sorted((ROOT / "qbo_wizard").rglob("*.py")):
        name = str(path.relative_to(ROOT))
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=name)
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and name not in PROFILE_OWNERS:
                used = PROFILE_FILE_ACCESS & {alias.name for alias in node.names}
                if node.module == "qbo_wizard.core.profile" and used:
                    found.append(
                        f"{name}:{node.lineno} uses {', '.join(sorted(used))}: read and change "
                        "the profile through `profile_store(name)`"
                    )
            targets = (
                node.targets
                if isinstance(node, ast.Assign)
                else [node.target]
                if isinstance(node, (ast.AugAssign, ast.AnnAssign))
                else []
            )
            for target in targets:
                base = target.value if isinstance(target, ast.Subscript) else target
                if (
                    isinstance(base, ast.Attribute)
                    and base.attr == "step_states"
                    and name != PROGRESS_WRITER
                ):
                    found.append(
                        f"{name}:{node.lineno} writes step_states: record progress through "
                        "`core/progress.py`"
                    )
    return found


def main() -> int:
    edges = module_graph()
    rings = cycles(edges)
    too_long = long_modules()
    owners = second_owners()
    for ring in rings:
        print("import cycle among: " + ", ".join(ring))
    for name, lines in too_long:
        print(f"{name} has {lines} lines (at most {MAX_LINES}): split it by concern")
    for place in owners:
        print(place)
    if rings or too_long or owners:
        return 1
    print(
        f"{len(edges)} modules, no import cycle, none over {MAX_LINES} lines; profile.yaml "
        "read and written by its store, step progress by core/progress.py"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
