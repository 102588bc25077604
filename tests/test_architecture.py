"""The import rules of docs/architecture.md, checked on the code: which room may import which, no import cycles at
module level, and the pure cores import without Django."""

from __future__ import annotations

import ast
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
ROOMS = ("accounts", "trail", "notify", "catalogue", "smart", "compare", "lifecycle")

# Room → the rooms it may import (docs/architecture.md, "Who may import whom"). The project shell may import
# every room; shared plumbing (the rest of `yuebiao`) may be imported by every room and imports none.
MAY_IMPORT = {
    "accounts": {"trail"},
    "trail": {"accounts"},
    "notify": {"accounts"},
    "catalogue": {"accounts", "trail"},
    "smart": {"accounts", "catalogue"},
    "compare": {"accounts", "catalogue", "smart", "trail"},
    "lifecycle": {"accounts", "catalogue", "notify", "smart", "trail"},
}
SHELL = ("yuebiao.api", "yuebiao.urls", "yuebiao.demo", "yuebiao.cli", "yuebiao.backup", "yuebiao.backup_db",
         "yuebiao.management")
# What other rooms may use of accounts and trail: the permission layer, and the trail's writing and reading.
ACCOUNTS_PUBLIC = ("accounts.roles", "accounts.permissions", "accounts.api_auth", "accounts.models",
                   "accounts.services")
TRAIL_CORE = ("trail.models", "trail.services", "trail.chain", "trail.triggers")
PURE_CORES = (
    "accounts.roles", "catalogue.numbers", "catalogue.status", "catalogue.geography", "catalogue.table_vocabulary",
    "catalogue.table_header", "catalogue.import_checks", "catalogue.table_reader", "catalogue.xlsx_reader",
    "catalogue.table_writer", "smart.model", "smart.parser", "smart.cover", "smart.terms", "smart.guard",
    "smart.reader_pdf", "smart.reader_docx", "smart.reader_text", "smart.sts", "smart.accuracy", "compare.align", "compare.limits",
    "compare.diff", "compare.correspondence", "compare.ranking", "lifecycle.transitions", "lifecycle.deadlines",
    "lifecycle.captcha", "lifecycle.worklist", "lifecycle.menu", "trail.chain", "yuebiao.backup_files", "yuebiao.files", "yuebiao.refusals",
    "yuebiao.ratelimit", "yuebiao.messages",
)


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _sources() -> dict[str, Path]:
    out = {}
    for top in (*ROOMS, "yuebiao"):
        for path in (REPO / top).rglob("*.py"):
            rel = path.relative_to(REPO).parts
            if "tests" in rel or "migrations" in rel:
                continue
            out[_module_name(path)] = path
    return out


def _import_nodes(node: ast.AST, *, top_level_only: bool):
    """The import statements under `node`; at module level only, the bodies of functions are not entered (an
    import there runs when the function is called, not when the module is loaded)."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, (ast.Import, ast.ImportFrom)):
            yield child
        elif not (top_level_only and isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))):
            yield from _import_nodes(child, top_level_only=top_level_only)


def _imports(path: Path, module: str, *, top_level_only: bool) -> set[str]:
    """Absolute names this module imports (relative imports resolved), everywhere or at module level only."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    names = set()
    for node in _import_nodes(tree, top_level_only=top_level_only):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
            continue
        if node.level:
            base = package.split(".")[: len(package.split(".")) - node.level + 1]
            mod = ".".join([*base, *([node.module] if node.module else [])])
        else:
            mod = node.module or ""
        names.add(mod)
        names.update(f"{mod}.{alias.name}" for alias in node.names)
    return names


def _room(name: str) -> str:
    return name.split(".")[0]


def _is_shell(module: str) -> bool:
    return any(module == s or module.startswith(s + ".") for s in SHELL)


def test_each_room_imports_only_the_rooms_below_it():
    sources = _sources()
    wrong = []
    for module, path in sources.items():
        here = _room(module)
        for name in _imports(path, module, top_level_only=False):
            there = _room(name)
            if there == here or there not in (*ROOMS, "yuebiao"):
                continue
            if here == "yuebiao":
                if not _is_shell(module) and there in ROOMS:
                    wrong.append(f"{module} (shared plumbing) imports the room {name}")
                continue
            if there == "yuebiao":
                if _is_shell(name):
                    wrong.append(f"{module} imports the project shell {name}")
                continue
            if there not in MAY_IMPORT[here]:
                wrong.append(f"{module} imports {name}: {here} may not lean on {there}")
            elif there == "accounts" and not name.startswith(ACCOUNTS_PUBLIC):
                wrong.append(f"{module} imports {name}: other rooms use accounts' public modules only")
            elif there == "trail" and not name.startswith(TRAIL_CORE):
                wrong.append(f"{module} imports {name}: other rooms use the trail's core only")
    assert wrong == []


def test_the_trail_core_and_the_permission_layer_import_no_other_room():
    sources = _sources()
    for module in (*TRAIL_CORE, "accounts.roles", "accounts.permissions"):
        rooms = {_room(n) for n in _imports(sources[module], module, top_level_only=False)} & set(ROOMS)
        assert rooms <= {_room(module)}, f"{module} imports from {sorted(rooms - {_room(module)})}"


def test_no_import_cycle_at_module_level():
    sources = _sources()
    graph = {m: {n for n in _imports(p, m, top_level_only=True) if n in sources and n != m}
             for m, p in sources.items()}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def visit(v: str) -> None:  # Tarjan's strongly connected components
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
    for v in graph:
        if v not in index:
            visit(v)
    assert cycles == []


@pytest.mark.parametrize("module", PURE_CORES)
def test_pure_cores_import_without_django(module):
    code = f"import sys; import {module}; sys.exit(1 if 'django' in sys.modules else 0)"
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO)}
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, f"{module} pulls in Django or fails: {done.stderr[-2000:]}"


# Pure cores split out of the catalogue's importer that mypy does not check yet: each of these is a module whose
# Optional values still need narrowing (14 findings) before it joins the checked list.
NOT_YET_TYPE_CHECKED: set[str] = set()


def test_the_type_checker_covers_the_pure_cores():
    """`make test` runs mypy over the files listed in pyproject.toml: every pure core but the named newcomers."""
    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    checked = {_module_name(REPO / f) for f in config["tool"]["mypy"]["files"]}
    assert checked == set(PURE_CORES) - NOT_YET_TYPE_CHECKED
    assert config["tool"]["mypy"]["follow_imports"] == "silent"
