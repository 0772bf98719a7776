"""The Jupyter defaults of ``book/_lab/`` are installed by ``pip install -r requirements.txt``.

``book/_lab/`` is a tiny distribution whose only content is four data files: a settings file for JupyterLab's
``{sys.prefix}/share/jupyter/lab/settings/overrides.d/``, an nbgrader configuration for
``{sys.prefix}/etc/jupyter/``, a ``labconfig/page_config.json`` that turns nbgrader's instructor tools off for
the environment and a ``jupyter_server_config.d/convlearn.json`` that enables convlearn's server extension.
Checked here: its wheel carries the files at those places,
``requirements.txt`` installs it, this environment has them, the settings it overrides exist (JupyterLab's
own schemas, jupytext's viewer name), and the nbgrader configuration (loaded with traitlets, as nbgrader
loads it) points the course directory at ``exercises/`` at the repository root and changes nothing anywhere
else. ``tests/test_lab_browser.py`` checks the effect in JupyterLab for a user with an empty home directory.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from traitlets.config import Config
from traitlets.config.loader import PyFileConfigLoader

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "book" / "_lab"
OVERRIDES = PACKAGE / "overrides.d" / "convlearn.json"
NBGRADER_CONFIG = PACKAGE / "nbgrader_config.py"
PAGE_CONFIG = PACKAGE / "labconfig" / "page_config.json"
SERVER_CONFIG = PACKAGE / "jupyter_server_config.d" / "convlearn.json"
#: where the wheel installs each file, relative to sys.prefix
TARGETS = {
    "share/jupyter/lab/settings/overrides.d/convlearn.json": OVERRIDES,
    "etc/jupyter/nbgrader_config.py": NBGRADER_CONFIG,
    "etc/jupyter/labconfig/page_config.json": PAGE_CONFIG,
    "etc/jupyter/jupyter_server_config.d/convlearn.json": SERVER_CONFIG,
}


def test_wheel_carries_the_overrides(tmp_path) -> None:
    source = tmp_path / "src"
    shutil.copytree(PACKAGE, source, ignore=shutil.ignore_patterns("build", "*.egg-info"))
    out = tmp_path / "dist"
    subprocess.run([sys.executable, "-c", f"from setuptools import build_meta; build_meta.build_wheel({str(out)!r})"],
                   cwd=source, check=True, capture_output=True, text=True)
    (wheel,) = out.glob("*.whl")
    with zipfile.ZipFile(wheel) as archive:
        data = {name.split(".data/data/", 1)[1]: name for name in archive.namelist() if ".data/data/" in name}
        assert sorted(data) == sorted(TARGETS)
        for target, source in TARGETS.items():
            assert archive.read(data[target]) == source.read_bytes(), target


def test_requirements_install_it() -> None:
    lines = [line.split("#")[0].strip() for line in (REPO / "requirements.txt").read_text().splitlines()]
    assert "./book/_lab" in lines


@pytest.mark.parametrize("target", sorted(TARGETS))
def test_environment_has_the_file(target: str) -> None:
    installed = Path(sys.prefix) / target
    assert installed.is_file(), f"{installed} is missing: run `pip install -r requirements.txt` at the repository root"
    assert installed.read_bytes() == TARGETS[target].read_bytes(), (
        f"{installed} is out of date: run `pip install -r requirements.txt` at the repository root")


def load_nbgrader_config(cwd: Path, monkeypatch) -> Config:
    """``book/_lab/nbgrader_config.py`` loaded by traitlets (as nbgrader loads it) with ``cwd`` as current directory."""
    monkeypatch.chdir(cwd)
    return PyFileConfigLoader(NBGRADER_CONFIG.name, path=str(NBGRADER_CONFIG.parent)).load_config()


def make_course(directory: Path) -> Path:
    """A course directory holding a copy of the course's ``nbgrader_config.py``."""
    directory.mkdir(parents=True)
    shutil.copy2(REPO / "exercises" / "nbgrader_config.py", directory / "nbgrader_config.py")
    return directory


def test_nbgrader_config_at_the_root_is_the_course(tmp_path, monkeypatch) -> None:
    """At a repository root (no nbgrader_config.py, an exercises/ course) it is the course's config, rooted there."""
    # the course's config sets up sandboxed grading, which prepends a fresh kernel directory to JUPYTER_PATH
    monkeypatch.delenv("JUPYTER_PATH", raising=False)  # restored after the test
    course = make_course(tmp_path / "exercises")
    config = load_nbgrader_config(tmp_path, monkeypatch)
    own = PyFileConfigLoader("nbgrader_config.py", path=str(course)).load_config()
    assert config.CourseDirectory.root == str(course)
    assert config.CourseDirectory.course_id == "convlearn"
    del config.CourseDirectory["root"]
    # each load makes its own private kernel directory (convlearn.grading.grader.sandbox.private_runtime_dir)
    for loaded in (config, own):
        if "connection_file" in loaded.KernelManager:
            del loaded.KernelManager["connection_file"]
    assert config == own  # nothing else than the course's own settings


@pytest.mark.parametrize("where", ["empty", "course", "course-beside-exercises"])
def test_nbgrader_config_changes_nothing_elsewhere(tmp_path, monkeypatch, where: str) -> None:
    """Without exercises/, inside a course, or where the directory has its own config: an empty configuration."""
    if where == "empty":
        cwd = tmp_path
    elif where == "course":  # exercises/ itself, or the copies of the course the tests grade in
        cwd = make_course(tmp_path / "course")
    else:  # a directory with its own nbgrader_config.py wins even when it has an exercises/ course
        cwd = make_course(tmp_path / "root")
        make_course(cwd / "exercises")
    assert load_nbgrader_config(cwd, monkeypatch) == Config()


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


def test_page_config_turns_off_existing_instructor_plugins() -> None:
    """The plugins turned off for the environment are nbgrader's instructor tools, by real ids; students keep theirs."""
    disabled = json.loads(PAGE_CONFIG.read_text())["disabledExtensions"]
    assert disabled == {"@jupyter/nbgrader:formgrader": True, "@jupyter/nbgrader:create-assignment": True,
                        "@jupyter/nbgrader:course-list": True}
    static = Path(sys.prefix) / "share" / "jupyter" / "labextensions" / "@jupyter" / "nbgrader" / "static"
    code = "\n".join(js.read_text(encoding="utf-8", errors="replace") for js in static.glob("*.js"))
    for plugin in [*disabled, "@jupyter/nbgrader:assignment-list", "@jupyter/nbgrader:validate-assignment"]:
        assert f'"{plugin}"' in code, f"nbgrader's labextension has no plugin {plugin}"


def test_server_config_enables_an_importable_extension() -> None:
    import importlib

    extensions = json.loads(SERVER_CONFIG.read_text())["ServerApp"]["jpserver_extensions"]
    # the enabled name is a stable entry point (installed configs keep working); the code is in the grader package
    assert extensions == {"convlearn.grading.server_extension": True}
    module = importlib.import_module("convlearn.grading.server_extension")
    assert module._jupyter_server_extension_points() == [{"module": "convlearn.grading.grader.server_extension"}]
