"""Sphinx's settings for digitnet's documentation site: docs/index.md (the home page), the
README, the pages under docs/, the executed tutorials (their stored outputs are shown; nothing
runs at build time) and the changelog. The source folder is the repository's root, so that the
links between these files work alike on the site and in the repository (a link to a source file
becomes a download).

    pip install -e '.[docs]' && sphinx-build -W -c docs -b html . docs/_build/html

Offline: MathJax is served from the site itself (copied from the django-static-mathjax wheel, a
bundle of MathJax's files), so that no page asks another host for a script, a font or a style.
"""

import importlib.resources
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent / "_ext"))  # cli_reference, generated: tables

project = "digitnet"
author = "the digitnet developers"
copyright = "the digitnet developers; MNIST by Yann LeCun, Corinna Cortes and Christopher Burges"

extensions = ["myst_nb", "sphinx.ext.mathjax", "sphinx.ext.autodoc", "cli_reference", "generated"]
autodoc_typehints = "signature"  # the type hints, in each signature
myst_enable_extensions = ["dollarmath", "amsmath", "html_image"]  # <img>: a picture too
smartquotes = False  # "--data" stays two hyphens, not a dash
myst_heading_anchors = 3  # links such as cli.md#digitnet-serve reach their headings
nb_execution_mode = "off"  # the notebooks are stored executed (docs/tutorials/build.py)
root_doc = "docs/index"  # the home page; _extra/index.html at the site's root leads to it
include_patterns = ["README.md", "CHANGELOG.md", "CONTRIBUTING.md", "docs/**"]
exclude_patterns = [
    "docs/_build",
    "docs/_ext",
    "docs/tutorials/*.py",
    "docs/mutation-equivalent.txt",
]

html_theme = "sphinx_book_theme"
html_title = "digitnet"
html_favicon = "_static/favicon.svg"  # declared, so no browser asks for a missing favicon.ico
html_static_path = ["_static"]  # this and _extra: folders beside this file
html_css_files = ["docstrings.css"]
html_extra_path = ["_extra"]
html_theme_options = {"use_download_button": False, "use_fullscreen_button": False}
html_context = {"default_mode": "light"}  # the theme's own default, "", logs an error

mathjax_path = "mathjax/es5/tex-chtml.js"  # under _static, where copy_mathjax puts it


def copy_mathjax(app) -> None:
    """Put MathJax's files into the site's _static folder, so the math needs no other host."""
    source = Path(str(importlib.resources.files("mathjax"))) / "static" / "mathjax" / "es5"
    target = Path(app.outdir) / "_static" / "mathjax" / "es5"
    shutil.copytree(source, target, dirs_exist_ok=True)


def docstring_as_written(app, what, name, obj, options, lines: list[str]) -> None:
    """Show a docstring as the code has it: digitnet's are plain text laid out for the terminal
    (help() and an editor), not reStructuredText, so they go into a block of plain text (which
    docstrings.css wraps at the page's width)."""
    if any(line.strip() for line in lines):
        head = [".. code-block:: text", "   :class: docstring", ""]
        lines[:] = head + [f"   {line}" for line in lines] + [""]


def setup(app) -> None:
    app.connect("builder-inited", copy_mathjax)
    app.connect("autodoc-process-docstring", docstring_as_written)
