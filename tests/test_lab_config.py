"""The JupyterLab defaults of ``jupyter-config/`` are installed by ``pip install -r requirements.txt``.

``jupyter-config/`` is a tiny distribution whose only content is a settings file for JupyterLab's
``{sys.prefix}/share/jupyter/lab/settings/overrides.d/``. Checked here: its wheel carries the file at that
place, ``requirements.txt`` installs it, this environment has it, and the settings it overrides exist
(JupyterLab's own schemas, jupytext's viewer name). ``tests/test_lab_browser.py`` checks the effect in
JupyterLab for a user with an empty home directory.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "jupyter-config"
OVERRIDES = PACKAGE / "overrides.d" / "convlearn.json"
TARGET = "share/jupyter/lab/settings/overrides.d/convlearn.json"


def test_wheel_carries_the_overrides(tmp_path) -> None:
    source = tmp_path / "src"
    shutil.copytree(PACKAGE, source, ignore=shutil.ignore_patterns("build", "*.egg-info"))
    out = tmp_path / "dist"
    subprocess.run([sys.executable, "-c", f"from setuptools import build_meta; build_meta.build_wheel({str(out)!r})"],
                   cwd=source, check=True, capture_output=True, text=True)
    (wheel,) = out.glob("*.whl")
    with zipfile.ZipFile(wheel) as archive:
        data = [name for name in archive.namelist() if ".data/data/" in name]
        assert [name.split(".data/data/", 1)[1] for name in data] == [TARGET]
        assert archive.read(data[0]) == OVERRIDES.read_bytes()


def test_requirements_install_it() -> None:
    lines = [line.split("#")[0].strip() for line in (REPO / "requirements.txt").read_text().splitlines()]
    assert "./jupyter-config" in lines


def test_environment_has_the_overrides() -> None:
    installed = Path(sys.prefix) / TARGET
    assert installed.is_file(), f"{installed} is missing: run `pip install -r requirements.txt` at the repository root"
    assert json.loads(installed.read_text()) == json.loads(OVERRIDES.read_text()), (
        f"{installed} is out of date: run `pip install -r requirements.txt` at the repository root")


def test_overrides_name_existing_settings() -> None:
    """Every overridden plugin and property exists in JupyterLab's schemas; the viewer is jupytext's."""
    from jupyterlab.commands import get_app_dir

    schemas = Path(get_app_dir()) / "schemas"
    overrides = json.loads(OVERRIDES.read_text())
    for plugin_id, values in overrides.items():
        package, plugin = plugin_id.split(":")
        schema = json.loads((schemas / package / f"{plugin}.json").read_text())
        assert set(values) <= set(schema["properties"]), (plugin_id, set(values) - set(schema["properties"]))
    viewers = overrides["@jupyterlab/docmanager-extension:plugin"]["defaultViewers"]
    assert viewers == {"markdown": "Jupytext Notebook", "myst": "Jupytext Notebook"}
    jupytext_static = Path(sys.prefix) / "share" / "jupyter" / "labextensions" / "jupyterlab-jupytext" / "static"
    found = any('"Jupytext Notebook"' in js.read_text(encoding="utf-8", errors="replace")
                for js in jupytext_static.glob("*.js"))
    assert found, "jupytext's JupyterLab extension has no 'Jupytext Notebook' viewer"
