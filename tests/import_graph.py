"""fandex's own import graph, read from the source, and the cycles in it (issue 24).

import-linter checks the layers, but not a cycle between two modules of one layer (`db.store` and a
repository, a feature's view and its service). This reads every import anywhere in a file — inside a
function, under `if TYPE_CHECKING:`, in a `try` — because each one says the two modules need each other,
whether or not Python happens to run it while importing. Like import-linter, `import a.b` counts as an
import of `a.b` only, not of the packages `a` that Python runs first.
"""

from __future__ import annotations

import ast
from collections import deque
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

PACKAGES = ("bot", "cogs", "db")


@dataclass(frozen=True, slots=True)
class ImportLine:
    """One import in `importer`'s file (`path`, relative to the root, at `line`) of the module `imported`."""

    importer: str
    imported: str
    path: Path
    line: int


@dataclass(frozen=True, slots=True)
class Cycle:
    """Modules that import each other, in a loop: `modules` sorted, `example` one loop through the first."""

    modules: tuple[str, ...]
    example: tuple[ImportLine, ...]

    def describe(self) -> str:
        hops = " -> ".join(f"{hop.importer} ({hop.path}:{hop.line})" for hop in self.example)
        return (
            f"import cycle of {len(self.modules)} modules: {', '.join(self.modules)}\n"
            f"  for example: {hops} -> {self.example[0].importer}"
        )


def module_files(root: Path, packages: Iterable[str] = PACKAGES) -> dict[str, Path]:
    """Each module's dotted name and its file relative to `root`, for every `.py` below the packages' folders."""
    modules: dict[str, Path] = {}
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            relative = path.relative_to(root)
            if "__pycache__" in relative.parts:
                continue
            parts = list(relative.with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            modules[".".join(parts)] = relative
    return modules


def _ours(name: str, modules: Mapping[str, Path]) -> str | None:
    """`name` if it is one of our modules, else the nearest module that holds it (`db.store.Store` is `db.store`)."""
    while name:
        if name in modules:
            return name
        name = name.rpartition(".")[0]
    return None


def _absolute(node: ast.ImportFrom, package: str) -> str | None:
    """The module a `from … import` reads, its leading dots resolved against `package`; None past the top."""
    if node.level == 0:
        return node.module or ""
    parts = package.split(".") if package else []
    up = node.level - 1
    if up > len(parts):
        return None
    base = parts[: len(parts) - up]
    if node.module:
        base.extend(node.module.split("."))
    return ".".join(base)


def _imports_in(name: str, path: Path, tree: ast.AST, modules: Mapping[str, Path]) -> Iterator[ImportLine]:
    """`from pkg import x` is an import of `pkg.x` when that is a module, else of `pkg`."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [_ours(alias.name, modules) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(node, package)
            if base is None:
                continue
            targets = [_ours(f"{base}.{alias.name}" if base else alias.name, modules) for alias in node.names]
        else:
            continue
        for target in targets:
            if target is not None and target != name:
                yield ImportLine(name, target, path, node.lineno)


def read_imports(root: Path, modules: Mapping[str, Path]) -> tuple[list[ImportLine], list[str]]:
    """Every import between our modules, and `path: why` for each file that does not parse."""
    lines: list[ImportLine] = []
    unreadable: list[str] = []
    for name, path in modules.items():
        try:
            tree = ast.parse((root / path).read_bytes(), filename=str(path))
        except (SyntaxError, ValueError) as exc:
            unreadable.append(f"{path}: cannot read its imports ({exc})")
            continue
        lines.extend(_imports_in(name, path, tree, modules))
    return lines, unreadable


def strongly_connected(graph: Mapping[str, Iterable[str]]) -> list[list[str]]:
    """Tarjan's strongly connected components, without recursion (a long chain of imports is no stack risk)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []

    def visit(node: str) -> Iterator[str]:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        return iter(sorted(graph.get(node, ())))

    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, visit(start))]
        while work:
            node, successors = work[-1]
            for successor in successors:
                if successor not in index:
                    work.append((successor, visit(successor)))
                    break
                if successor in on_stack:
                    low[node] = min(low[node], index[successor])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    component: list[str] = []
                    while not component or component[-1] != node:
                        component.append(stack.pop())
                        on_stack.discard(component[-1])
                    components.append(sorted(component))
    return components


def _shortest_loop(start: str, members: set[str], imports_from: Mapping[str, list[ImportLine]]) -> tuple[ImportLine, ...]:
    """The fewest imports that lead from `start` back to it without leaving the component."""
    came_from: dict[str, ImportLine] = {}
    queue = deque([start])
    while queue:
        for line in imports_from.get(queue.popleft(), []):
            if line.imported == start:
                loop = [line]
                while loop[-1].importer != start:
                    loop.append(came_from[loop[-1].importer])
                return tuple(reversed(loop))
            if line.imported in members and line.imported not in came_from:
                came_from[line.imported] = line
                queue.append(line.imported)
    raise AssertionError(f"{start} is in a cycle with no way back")  # a component of two or more always loops


def find_cycles(lines: Iterable[ImportLine]) -> list[Cycle]:
    """Each group of modules that import each other in a loop, the largest first."""
    first: dict[tuple[str, str], ImportLine] = {}
    for line in sorted(lines, key=lambda line: (line.importer, line.imported, line.line)):
        first.setdefault((line.importer, line.imported), line)  # the first import of a pair stands for the others
    imports_from: dict[str, list[ImportLine]] = {}
    for line in first.values():
        imports_from.setdefault(line.importer, []).append(line)
    graph = {importer: [line.imported for line in out] for importer, out in imports_from.items()}
    cycles = [
        Cycle(tuple(component), _shortest_loop(component[0], set(component), imports_from))
        for component in strongly_connected(graph)
        if len(component) > 1
    ]
    return sorted(cycles, key=lambda cycle: (-len(cycle.modules), cycle.modules))
