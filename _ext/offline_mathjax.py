"""Serve MathJax from the built book itself, so equations typeset without a network connection.

The MathJax files come from the ``django-static-mathjax`` package on PyPI (a plain copy of
MathJax 3; nothing of Django is used). ``_config.yml`` points ``mathjax_path`` at the copy.
"""

import shutil
from pathlib import Path

import mathjax
from sphinx.application import Sphinx

SOURCE = Path(mathjax.__file__).parent / "static" / "mathjax" / "es5"
NEEDED = ["tex-chtml.js", "input/tex/extensions", "output/chtml", "ui", "a11y"]
"""The TeX-to-HTML bundle, the fonts and the parts it loads on demand: about 3 MB of MathJax's 24."""


def copy_mathjax(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    target = Path(app.outdir) / "_static" / "mathjax"
    for part in NEEDED:
        source, destination = SOURCE / part, target / part
        destination.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, destination, dirs_exist_ok=True)
        else:
            shutil.copy2(source, destination)


def setup(app: Sphinx) -> dict:
    app.connect("build-finished", copy_mathjax)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
