"""Imports inside :mod:`infoplane.densities` run downward: no two modules import each other."""

from __future__ import annotations

import ast
import pathlib

import infoplane.densities as pkg

HERE = pathlib.Path(pkg.__file__).parent


def _relative_imports(path: pathlib.Path) -> set[str]:
    """Sibling modules imported anywhere in `path` (module level or inside functions)."""
    deps: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            if node.module:
                deps.add(node.module.split(".")[0])
            else:
                deps.update(alias.name for alias in node.names)
    return deps


def test_no_two_density_modules_import_each_other():
    graph = {p.stem: _relative_imports(p) for p in HERE.glob("*.py")}
    assert "product" not in graph["_base"]  # the cycle of issue #9
    mutual = sorted(
        (a, b) for a, deps in graph.items() for b in deps if a < b and a in graph.get(b, ())
    )
    assert mutual == []


def test_multiplying_densities_still_builds_a_product():
    import infoplane as ip

    p = ip.Laplace() * ip.Gaussian([0.0, 0.0], 1.0) * ip.Logistic()
    assert isinstance(p, ip.Product) and p.dim == 4 and len(p.components) == 3
