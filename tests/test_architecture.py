"""The rooms' dependency rules, read from the source: every import, including those inside functions.

``pipelines`` is the lowest room: it declares the models it needs as protocols and never imports
``models``; and no module of the four rooms takes part in an import cycle, hidden or not.
"""

from __future__ import annotations

import ast
from pathlib import Path

import ancols_nlp

ROOT = Path(ancols_nlp.__file__).resolve().parent
ROOMS = ("pipelines", "models", "index", "service")


def module_files() -> dict[str, Path]:
    """Dotted name → file of every module of the four rooms (a package is its ``__init__.py``)."""
    out = {}
    for room in ROOMS:
        for path in sorted((ROOT / room).rglob("*.py")):
            parts = ["ancols_nlp", *path.relative_to(ROOT).with_suffix("").parts]
            out[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return out


def imported(name: str, path: Path, known: set[str]) -> set[str]:
    """The project modules ``name`` imports anywhere in its file; ``from X import Y`` names ``X.Y`` when it is a
    module, else ``X``."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    targets = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            targets.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{anchor}.{base}" if base else anchor
            targets.update(f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base for alias in node.names)
    return {t for t in targets if t in known and t != name}


def import_graph() -> dict[str, set[str]]:
    files = module_files()
    return {name: imported(name, path, set(files)) for name, path in files.items()}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of ``graph`` as a path that starts and ends on the same module, or None."""
    state: dict[str, str] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = "open"
        stack.append(node)
        for target in sorted(graph[node]):
            if state.get(target) == "open":
                return stack[stack.index(target):] + [target]
            if target not in state and (cycle := visit(target)):
                return cycle
        state[node] = "done"
        stack.pop()
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def test_the_graph_sees_imports_inside_functions():
    graph = import_graph()
    assert "ancols_nlp.pipelines.process" in graph and "ancols_nlp.service.runtime" in graph
    assert "ancols_nlp.models.embedding" in graph["ancols_nlp.models.sentence_memo"]  # imported lazily, in embed()


def test_pipelines_never_import_models():
    graph = import_graph()
    offending = {name: sorted(t for t in targets if t.startswith("ancols_nlp.models"))
                 for name, targets in graph.items() if name.startswith("ancols_nlp.pipelines")}
    assert not {name: targets for name, targets in offending.items() if targets}


def test_no_import_cycle():
    cycle = find_cycle(import_graph())
    assert cycle is None, "import cycle: " + " → ".join(cycle or [])


def test_find_cycle_reports_the_loop():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None
