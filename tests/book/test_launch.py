"""Binder and Colab: the launch buttons point at this repository's main branch, and the environments
they open install the CPU build of PyTorch and the course's package, at the versions we test with."""

import json
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text())
NOTEBOOKS = sorted((ROOT / "chapters").glob("*.ipynb"))


def pins(path: Path) -> dict[str, str]:
    """Package name -> pinned version, from a requirements file's `name==version` lines."""
    found = {}
    for line in path.read_text().splitlines():
        match = re.match(r"^([A-Za-z0-9_.-]+)==(\S+)", line.strip())
        if match:
            found[match[1].lower()] = match[2]
    return found


def test_launch_buttons_open_jupyterlab_on_binder_and_colab_from_main():
    assert CONFIG["repository"]["branch"] == "main"
    assert CONFIG["repository"]["url"].startswith("https://github.com/")
    buttons = CONFIG["launch_buttons"]
    assert buttons["notebook_interface"] == "jupyterlab"
    assert buttons["binderhub_url"] == "https://mybinder.org"
    assert buttons["colab_url"] == "https://colab.research.google.com"


def test_binder_pins_agree_with_requirements_and_use_the_cpu_build_of_torch():
    binder = pins(ROOT / "binder" / "requirements.txt")
    local = pins(ROOT / "requirements.txt")
    assert binder["torch"] == local["torch"] + "+cpu"
    for name, version in binder.items():
        if name != "torch":
            assert local.get(name) == version, f"{name}: Binder has {version}, requirements.txt {local.get(name)}"
    text = (ROOT / "binder" / "requirements.txt").read_text()
    assert "--extra-index-url https://download.pytorch.org/whl/cpu" in text
    assert (ROOT / "binder" / "runtime.txt").read_text().strip() == "python-3.11"


def test_binder_installs_the_course_package():
    post_build = ROOT / "binder" / "postBuild"
    assert post_build.stat().st_mode & 0o111, "postBuild must be executable"
    assert "pip install --no-deps -e ." in post_build.read_text()


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_each_notebook_installs_the_package_in_colab_from_this_repository(notebook):
    cells = json.loads(notebook.read_text())["cells"]
    first_code = next(cell for cell in cells if cell["cell_type"] == "code")
    source = "".join(first_code["source"])
    assert 'if "google.colab" in sys.modules' in source
    assert f'repository = "{CONFIG["repository"]["url"]}"' in source
    assert f'git+{{repository}}@{CONFIG["repository"]["branch"]}' in source
    assert "remove-cell" in first_code["metadata"].get("tags", [])


def test_a_regular_install_of_the_package_holds_every_module(tmp_path):
    """Colab installs the package from the repository without ``-e``: every module, subpackages too, must be in it.

    The wheel is built from a fresh copy of the sources, so that no earlier build can fill a gap.
    """
    source = tmp_path / "source"
    shutil.copytree(ROOT / "lstm_course", source / "lstm_course", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--quiet",
         "--wheel-dir", str(tmp_path), str(source)],
        check=True,
    )
    (wheel,) = tmp_path.glob("lstm_course-*.whl")
    installed = set(zipfile.ZipFile(wheel).namelist())
    modules = {path.relative_to(ROOT).as_posix() for path in (ROOT / "lstm_course").rglob("*.py")}
    assert modules <= installed, sorted(modules - installed)
