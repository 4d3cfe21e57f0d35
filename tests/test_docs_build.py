"""The documentation: its code blocks run, and the site builds without a warning.

* Every ``pycon`` block of the user guide (``docs/guide/*.md``) and of ``docs/index.md``
  runs as a doctest, one namespace per page, in a temporary directory; every ``console``
  block runs its ``infoplane ...`` commands and compares their output (decimal numbers
  excepted: they may drift as the estimators change). A page may hold
  no other kind of code block, so nothing shown to readers goes untested.
* The Sphinx build (``-W --keep-going``, nitpicky) runs on a copy of ``docs/`` with the
  gallery scripts not executed (``INFOPLANE_DOCS_GALLERY=0``); it reads every page,
  imports every documented object and resolves every cross-reference. It skips with a
  reason when the ``docs`` extra is not installed.

The full build, gallery included, is ``python -m sphinx -W --keep-going -b html docs
docs/_build/html`` (README, "Documentation").
"""

from __future__ import annotations

import doctest
import importlib.util
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
PAGES = sorted((DOCS / "guide").glob("*.md")) + [DOCS / "index.md"]
FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
#: fenced blocks a guide page may hold: run (pycon, console) or not code (directives, text)
ALLOWED = {"pycon", "console", "text", "{figure}", "{toctree}", "{note}", "{tip}",
           "{warning}", "{seealso}", "math", "{math}"}
NEEDS = {"vae.md": ("torch",)}

_DECIMAL = re.compile(r"-?\d+\.\d+(?:e[+-]?\d+)?")
_FENCE = re.compile(r"^(`{3,})(\S*)[^\n]*\n(.*?)^\1[ \t]*$", re.M | re.S)


def _blocks(text: str):
    """(language, first line number, body) of each fenced block of a Markdown page."""
    for m in _FENCE.finditer(text):
        first = text.count("\n", 0, m.start(3)) + 1
        yield m.group(2), first, m.group(3)


def _pycon_source(text: str) -> str:
    """The page with everything outside ``pycon`` blocks blanked (line numbers kept)."""
    lines = [""] * (text.count("\n") + 1)
    for lang, first, body in _blocks(text):
        if lang == "pycon":
            for i, line in enumerate(body.splitlines()):
                lines[first - 1 + i] = line
    return "\n".join(lines)


def _commands(body: str):
    """(command, expected output) pairs of a console block (``$ `` starts a command)."""
    out = []
    for line in body.splitlines():
        if line.startswith("$ "):
            out.append([line[2:], []])
        elif out:
            out[-1][1].append(line)
    return [(cmd, "\n".join(exp).strip() + "\n") for cmd, exp in out]


def _skip_without(page: Path) -> None:
    for module in NEEDS.get(page.name, ()):
        pytest.importorskip(module, reason=f"{page.name} needs {module}")


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_page_has_only_tested_code_blocks(page):
    langs = [lang for lang, _, _ in _blocks(page.read_text(encoding="utf-8"))]
    assert set(langs) <= ALLOWED, (
        f"{page.name}: code blocks of kind {sorted(set(langs) - ALLOWED)} are not run by "
        "this test; write Python as ```pycon (doctest) and shell as ```console ($ infoplane ...)"
    )


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_page_code_runs(page, tmp_path, monkeypatch):
    _skip_without(page)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COLUMNS", "100")
    text = page.read_text(encoding="utf-8")

    # 1. the Python blocks, as one doctest
    test = doctest.DocTestParser().get_doctest(
        _pycon_source(text), {"__name__": page.stem}, page.name, str(page), 0)
    report: list[str] = []
    runner = doctest.DocTestRunner(optionflags=FLAGS)
    runner.run(test, out=report.append)
    assert runner.failures == 0, "".join(report)

    # 2. the shell blocks, after the Python blocks that write their input files
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get(
        "PYTHONPATH", "")]).rstrip(os.pathsep), COLUMNS="100")
    checker = doctest.OutputChecker()
    for lang, first, body in _blocks(text):
        if lang != "console":
            continue
        for cmd, expected in _commands(body):
            argv = shlex.split(cmd)
            assert argv[0] == "infoplane", (
                f"{page.name}:{first}: console blocks run infoplane commands only; got {cmd!r}")
            proc = subprocess.run([sys.executable, "-m", "infoplane", *argv[1:]], env=env,
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                  text=True, timeout=300)
            want_rc = 2 if "infoplane: error:" in expected else 0
            assert proc.returncode == want_rc, (
                f"{page.name}:{first}: `{cmd}` exited with {proc.returncode}:\n{proc.stdout}")
            # numbers with a decimal point may differ from the page's (estimators improve,
            # platforms round differently); the text, integers and layout may not
            assert checker.check_output(_DECIMAL.sub("<num>", expected),
                                        _DECIMAL.sub("<num>", proc.stdout), FLAGS), (
                f"{page.name}:{first}: `{cmd}` printed\n{proc.stdout}\nexpected\n{expected}")


def _missing_docs_extra() -> list[str]:
    mods = ("sphinx", "numpydoc", "pydata_sphinx_theme", "myst_parser", "sphinx_gallery",
            "torch")
    missing = []
    for m in mods:
        try:
            if importlib.util.find_spec(m) is None:
                missing.append(m)
        except ImportError:  # blocked (INFOPLANE_TEST_NO_TORCH) or broken
            missing.append(m)
    return missing


@pytest.mark.slow
def test_sphinx_build_has_no_warnings(tmp_path):
    missing = _missing_docs_extra()
    if missing:
        pytest.skip(f"the docs build needs {', '.join(missing)} (pip install -e '.[docs]'; "
                    "torch: the infoplane.vae pages import it)")
    src = tmp_path / "docs"
    shutil.copytree(DOCS, src, ignore=shutil.ignore_patterns(
        "_build", "auto_examples", "generated", "gen_modules", "sg_execution_times.rst"))
    env = dict(os.environ, INFOPLANE_DOCS_GALLERY="0", INFOPLANE_DOCS_REPO=str(ROOT),
               PYTHONPATH=str(ROOT))
    proc = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html",
         "-d", str(tmp_path / "doctrees"), str(src), str(tmp_path / "html")],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=900)
    assert proc.returncode == 0, proc.stdout
    html = tmp_path / "html"
    documented = set()
    for page in html.rglob("*.html"):
        if "_modules" not in page.parts:
            documented.update(re.findall(r'<dt class="sig[^"]*" id="(infoplane\.[^"]+)"',
                                         page.read_text(encoding="utf-8")))
    import infoplane

    # every public name has an entry in the API reference
    public = {f"infoplane.{n}" for n in infoplane.__all__}
    for mod in ("vae", "plot", "testing", "cli"):
        names = importlib.import_module(f"infoplane.{mod}").__all__
        public |= {f"infoplane.{mod}.{n}" for n in names}
    assert public <= documented, sorted(public - documented)
    for page in ("guide/fs_plane", "guide/estimators", "guide/boundaries", "guide/vae",
                 "guide/cli", "api/cli", "api/methods", "benchmarks", "RESULTS",
                 "auto_examples/index"):
        assert (html / f"{page}.html").is_file(), page
