"""The layout of docs/architecture.md holds: imports run downward, no import cycles.

Every import in the package (module level and inside functions) is read from the source
with :mod:`ast` and mapped to its layer; an import from a higher layer, or a cycle between
modules, fails with the offending modules named.
"""

import ast
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parents[1] / "infoplane"

#: layer of each top-level room of the package (docs/architecture.md); a module may import
#: only from its own layer or below, and never in a cycle
LAYERS = {
    "errors": 0, "_registry": 0, "_kernels": 0, "_threads": 0,
    "_validation": 1, "_numerics": 1,
    "_results": 2,
    "densities": 3,
    "estimators": 4,
    "_api": 5,
    "plane": 6, "signals": 6, "plot": 6, "testing": 6,
    "__init__": 7,
    "cli": 8, "__main__": 8, "vae": 8,
    "scale": 5,   # the public entry points for dask arrays, beside _api (docs/architecture.md)
}


def _module_name(path: Path) -> str:
    rel = path.relative_to(PKG.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _imports(path: Path) -> set[str]:
    """Absolute names of the infoplane modules `path` imports (resolved relative imports)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    me = _module_name(path).split(".")
    pkg = me if path.name == "__init__.py" else me[:-1]
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names if a.name.split(".")[0] == "infoplane"}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = pkg[: len(pkg) - node.level + 1]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            if mod.split(".")[0] != "infoplane":
                continue
            for a in node.names:   # `from . import x` may name a submodule
                sub = f"{mod}.{a.name}"
                out.add(sub if _exists(sub) else mod)
    return out


def _exists(name: str) -> bool:
    p = PKG.parent.joinpath(*name.split("."))
    return p.with_suffix(".py").exists() or (p / "__init__.py").exists()


def _room(name: str) -> str:
    parts = name.split(".")
    return "__init__" if len(parts) == 1 else parts[1]


MODULES = {_module_name(p): p for p in PKG.rglob("*.py")}


def test_every_room_has_a_layer():
    rooms = {_room(m) for m in MODULES}
    assert rooms <= set(LAYERS), f"rooms without a layer: {sorted(rooms - set(LAYERS))}"


@pytest.mark.parametrize("mod", sorted(MODULES))
def test_imports_run_downward(mod):
    mine = LAYERS[_room(mod)]
    up = sorted(t for t in _imports(MODULES[mod]) if LAYERS[_room(t)] > mine)
    assert not up, f"{mod} (layer {mine}) imports from a higher layer: {up}"


def test_densities_never_import_estimators():
    bad = sorted((m, t) for m in MODULES if _room(m) == "densities"
                 for t in _imports(MODULES[m]) if _room(t) == "estimators")
    assert not bad, bad


def test_no_import_cycles():
    graph = {m: {t for t in _imports(p) if t in MODULES and t != m} for m, p in MODULES.items()}
    # a package's __init__ re-exporting its own submodules is not a cycle of concepts
    for m in graph:
        graph[m] = {t for t in graph[m] if not t.startswith(m + ".")}
    state, stack = {}, []

    def visit(m):
        state[m] = 1
        stack.append(m)
        for t in graph[m]:
            if state.get(t) == 1:
                cycle = stack[stack.index(t):] + [t]
                raise AssertionError("import cycle: " + " -> ".join(cycle))
            if t not in state:
                visit(t)
        stack.pop()
        state[m] = 2

    for m in sorted(graph):
        if m not in state:
            visit(m)
