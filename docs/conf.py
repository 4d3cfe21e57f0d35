"""Sphinx configuration of the infoplane documentation.

Build (from the repository root)::

    python -m sphinx -W --keep-going -b html docs docs/_build/html

``INFOPLANE_DOCS_GALLERY=0`` skips running the gallery scripts (the API pages and the user
guide still build; the gallery pages then have no figures).
"""

from __future__ import annotations

import os
import sys
import warnings
import zlib
from pathlib import Path

DOCS = Path(__file__).resolve().parent
# the repository: this folder's parent, or INFOPLANE_DOCS_REPO for a copy of docs/ built
# elsewhere (tests/test_docs_build.py builds one)
ROOT = Path(os.environ.get("INFOPLANE_DOCS_REPO", DOCS.parent)).resolve()
sys.path.insert(0, str(ROOT))  # the checkout's infoplane, and `examples` for the gallery

import infoplane  # noqa: E402

project = "infoplane"
author = "infoplane developers"
copyright = "infoplane developers"
release = infoplane.__version__
version = ".".join(release.split(".")[:2])

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.intersphinx",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "numpydoc",
    "myst_parser",
    "sphinx_gallery.gen_gallery",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
exclude_patterns = [
    "results/tables.md",  # included, as it is, by results_tables.md (it has no title)
    "_build", "_inventories", "Thumbs.db", ".DS_Store",
    "auto_examples/*.ipynb", "auto_examples/*.py", "auto_examples/*.zip",
    "auto_examples/*.json", "auto_examples/*.md5",
]
templates_path = ["_templates"]

# Every cross-reference must resolve: a broken one is a warning, and -W makes it an error.
nitpicky = True
nitpick_ignore_regex = [
    # private helpers named in docstrings (Notes, method descriptions) are not documented
    (r"py:.*", r"(infoplane\.)?(.*\.)?_[a-z].*"),
]

# ------------------------------------------------------------------ autodoc / numpydoc
autosummary_generate = True
autosummary_imported_members = False
autodoc_typehints = "none"  # numpydoc's Parameters sections carry the types
numpydoc_show_class_members = False  # the class template documents members in place
numpydoc_xref_param_type = True
numpydoc_xref_ignore = "all"  # link only the aliases below and dotted names
numpydoc_xref_aliases = {
    "ndarray": "numpy.ndarray",
    "Generator": "numpy.random.Generator",
    "Tensor": "torch.Tensor",
    "Mapping": "collections.abc.Mapping",
    "Sequence": "collections.abc.Sequence",
    "Axes": "matplotlib.axes.Axes",
    "Figure": "matplotlib.figure.Figure",
    "Estimate": "infoplane.Estimate",
    "MatrixEstimate": "infoplane.MatrixEstimate",
    "FSPoint": "infoplane.FSPoint",
    "FSTrajectory": "infoplane.FSTrajectory",
    "Density": "infoplane.Density",
    "PosteriorFS": "infoplane.vae.PosteriorFS",
    "Dataset": "torch.utils.data.Dataset",
    "DataLoader": "torch.utils.data.DataLoader",
}
# With numpydoc_xref_ignore = "all" numpydoc links a name only when its alias differs from
# it; the leading dot (search from the current module outwards) resolves to the same target.
numpydoc_xref_aliases.update({name: f".{name}" for name in (
    "numpy.ndarray", "numpy.random.Generator", "torch.Tensor", "torch.Generator",
    "torch.dtype", "torch.device", "torch.distributions.Distribution",
    "matplotlib.axes.Axes", "hypothesis.strategies.SearchStrategy", "scipy.stats",
)})

# ------------------------------------------------------------------ intersphinx, offline
# The machines that build these docs may have no network, so the inventories are built
# from the short hand-written lists in docs/_inventories/*.txt (only the names these pages
# refer to; each line: "name role relative-url"). A reference to a name not listed is a
# nitpicky warning, so the lists cannot silently miss a link target.
_INV_SITES = {
    "python": "https://docs.python.org/3/",
    "numpy": "https://numpy.org/doc/stable/",
    "scipy": "https://docs.scipy.org/doc/scipy/",
    "torch": "https://docs.pytorch.org/docs/stable/",
    "matplotlib": "https://matplotlib.org/stable/",
    "hypothesis": "https://hypothesis.readthedocs.io/en/latest/",
}


def _write_inventory(name: str, out: Path) -> Path:
    """Compile docs/_inventories/<name>.txt into a Sphinx objects.inv (format 2)."""
    lines = []
    for raw in (DOCS / "_inventories" / f"{name}.txt").read_text(encoding="utf-8").splitlines():
        raw = raw.strip()
        if not raw or raw.startswith("#"):
            continue
        obj, role, uri = raw.split()
        domain_role = role if ":" in role else f"py:{role}"
        lines.append(f"{obj} {domain_role} 1 {uri} -")
    header = (f"# Sphinx inventory version 2\n# Project: {name}\n# Version: \n"
              "# The remainder of this file is compressed using zlib.\n")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(header.encode() + zlib.compress(("\n".join(lines) + "\n").encode()))
    return out


_INV_DIR = DOCS / "generated" / "inventories"
intersphinx_mapping = {
    name: (url, str(_write_inventory(name, _INV_DIR / f"{name}.inv")))
    for name, url in _INV_SITES.items()
}
intersphinx_timeout = 1

# ------------------------------------------------------------------ MyST
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "deflist"]
myst_heading_anchors = 3

# ------------------------------------------------------------------ sphinx-gallery
# A character missing from the figure font would be drawn as an empty box: fail instead.
warnings.filterwarnings("error", r"Glyph \d+ .* missing from font", UserWarning)
_run_gallery = os.environ.get("INFOPLANE_DOCS_GALLERY", "1") != "0"
sphinx_gallery_conf = {
    "examples_dirs": str(ROOT / "examples" / "gallery"),
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "plot_gallery": _run_gallery,
    "download_all_examples": False,
    "remove_config_comments": True,
    "within_subsection_order": "FileNameSortKey",  # plot_1_..., plot_2_...: reading order
    "abort_on_example_error": True,
    "reset_modules": ("matplotlib",),
    "capture_repr": ("_repr_html_",),
    "min_reported_time": 1,
    "image_srcset": [],
    "matplotlib_animations": False,
}

# ------------------------------------------------------------------ HTML
html_theme = "pydata_sphinx_theme"
html_title = f"infoplane {release}"
html_static_path = ["_static"]
html_css_files = ["infoplane.css"]
_WIDE = ("benchmarks", "benchmarks_1d", "benchmarks_nd", "coverage_1d", "coverage_nd",
         "bandwidth_1d", "knn_k_1d", "knn_metric_nd", "entropy_10d", "entropy_tails_nd",
         "fisher_tails_gate_nd", "lattice_nd", "bounded_nd", "closed_forms",
         "vae_benchmarks", "speed", "RESULTS", "results_tables")
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "header_links_before_dropdown": 6,
    # pages of wide tables give the width of the page-contents column to the tables
    "secondary_sidebar_items": {"**": ["page-toc"], **{page: [] for page in _WIDE}},
}
html_show_sourcelink = False
toc_object_entries_show_parents = "hide"  # "mean()" in a class page's contents
html_context = {"default_mode": "light"}


# ------------------------------------------------------------------ CLI help, generated
def _write_cli_help() -> None:
    """Write ``infoplane --help`` and each sub-command's help to generated/cli/*.txt."""
    import argparse

    from infoplane.cli import build_parser

    os.environ["COLUMNS"] = "80"  # argparse wraps to the terminal width: make it fixed
    parser = build_parser()
    out = DOCS / "generated" / "cli"
    out.mkdir(parents=True, exist_ok=True)
    texts = {"infoplane": parser.format_help()}
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                texts[name] = sub.format_help()
    for name, text in texts.items():
        path = out / f"{name}.txt"
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")  # unchanged files keep their mtime


_write_cli_help()


# ------------------------------------------------------------------ public names
def _public_alias(app, env, node, contnode):
    """Resolve ``infoplane.<module>.Name`` to the documented public ``infoplane.Name``.

    Docstrings may name an object by the module that defines it (e.g.
    ``infoplane.densities.Density``); the reference documents it where users import it.
    """
    target = node.get("reftarget", "")
    if node.get("refdomain") != "py" or not target.startswith("infoplane."):
        return None
    name = target.rsplit(".", 1)[-1]
    if name not in infoplane.__all__ or target == f"infoplane.{name}":
        return None
    if getattr(infoplane, name).__module__.split(".")[:2] != target.split(".")[:2]:
        return None  # a different object of the same name
    py = env.get_domain("py")
    return py.resolve_xref(env, node["refdoc"], app.builder, node["reftype"],
                           f"infoplane.{name}", node, contnode)


def setup(app):
    app.connect("missing-reference", _public_alias)
