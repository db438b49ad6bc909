"""Check the code's shape: no import cycle among qbo_wizard's modules, and no module over 700 lines.

Import-linter's contracts keep the layers and each package's sub-packages one-way; this check goes
down to single modules, counting imports inside functions (grimp sees them) and the modules the
app loads by name (the step screens' table and the command table). Run it with the project's
Python: `.venv/bin/python scripts/check_structure.py`. Exits 1 and names what to fix.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parent.parent
MAX_LINES = 700


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


def main() -> int:
    edges = module_graph()
    rings = cycles(edges)
    too_long = long_modules()
    for ring in rings:
        print("import cycle among: " + ", ".join(ring))
    for name, lines in too_long:
        print(f"{name} has {lines} lines (at most {MAX_LINES}): split it by concern")
    if rings or too_long:
        return 1
    print(f"{len(edges)} modules, no import cycle, none over {MAX_LINES} lines")
    return 0


if __name__ == "__main__":
    sys.exit(main())
