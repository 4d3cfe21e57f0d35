"""Public docstrings document every parameter and every option of every method."""

import inspect
import re

import pytest

import infoplane as ip
from infoplane import _registry as reg


def _documented(doc: str) -> set[str]:
    """Names listed in the numpydoc 'Parameters' (or, for dataclasses, 'Attributes')
    sections: the ``a, b : type`` lines."""
    names = set()
    body = ""
    for section in ("Parameters", "Attributes"):
        m = re.search(rf"(^|\n)\s*{section}\n\s*-+\n(.*?)(\n\s*\n\s*[A-Z][a-z]+"
                      r"( [A-Z][a-z]+)?\n\s*-+\n|$)", doc, re.S)
        if m:
            body += m.group(2) + "\n"
    for line in body.splitlines():
        hit = re.match(r"\s{0,8}(\*{0,2}[A-Za-z_][\w, *]*?)\s*(:|$)", line)
        if hit and (":" in line or line.strip().startswith("**")) and not line.startswith(" " * 9):
            for name in hit.group(1).split(","):
                names.add(name.strip().lstrip("*"))
    return names


def _public_callables():
    mods = [ip]
    for name in ("infoplane.vae", "infoplane.plot", "infoplane.testing"):
        try:
            mods.append(__import__(name, fromlist=["x"]))
        except ImportError:
            pass
    seen = {}
    for mod in mods:
        for name in getattr(mod, "__all__", []):
            obj = getattr(mod, name)
            if inspect.isclass(obj) and issubclass(obj, BaseException):
                continue
            if inspect.isclass(obj) or inspect.isfunction(obj):
                seen[f"{mod.__name__}.{name}"] = obj
    return seen


CALLABLES = _public_callables()


@pytest.mark.parametrize("qualname", sorted(CALLABLES))
def test_every_public_parameter_is_documented(qualname):
    obj = CALLABLES[qualname]
    target = obj.__init__ if inspect.isclass(obj) else obj
    if inspect.isclass(obj) and target is object.__init__:
        return
    try:
        sig = inspect.signature(target)
    except (TypeError, ValueError):
        return
    params = [p.name for p in sig.parameters.values() if p.name not in ("self", "cls")]
    if not params:
        return
    doc = inspect.getdoc(obj) or ""
    if inspect.isclass(obj) and "Parameters" not in doc and "Attributes" not in doc:
        doc = inspect.getdoc(target) or ""
    missing = [p for p in params if p not in _documented(doc)]
    assert not missing, f"{qualname}: parameters not in its docstring: {missing}"


@pytest.mark.parametrize("method", reg.METHODS, ids=lambda m: f"{m.quantity}-{m.input}-{m.name}")
def test_every_method_option_is_in_the_public_docstrings(method):
    funcs = [ip.entropy] if method.quantity == "entropy" else [ip.fisher, ip.fisher_matrix]
    for f in funcs:
        doc = inspect.getdoc(f)
        for opt in method.options:
            assert f"``{opt}``" in doc, f"{f.__name__}: option {opt!r} of {method} undocumented"
        assert f'``"{method.name}"``' in doc, (f.__name__, method.name)


@pytest.mark.parametrize("qualname", sorted(CALLABLES))
def test_every_public_signature_is_annotated(qualname):
    obj = CALLABLES[qualname]
    target = obj.__init__ if inspect.isclass(obj) else obj
    if inspect.isclass(obj) and target is object.__init__:
        return
    try:
        sig = inspect.signature(target)
    except (TypeError, ValueError):
        return
    missing = [p.name for p in sig.parameters.values()
               if p.name not in ("self", "cls") and p.annotation is inspect.Parameter.empty]
    if not inspect.isclass(obj) and sig.return_annotation is inspect.Signature.empty:
        missing.append("return")
    assert not missing, f"{qualname}: unannotated {missing}"
