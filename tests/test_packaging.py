"""The wheel installs into a fresh environment and its console script runs."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_wheel_installs_and_cli_runs(tmp_path):
    dist = tmp_path / "dist"
    # Build from a copy: setuptools leaves build/ and egg-info folders in the tree it builds.
    source = tmp_path / "source"
    shutil.copytree(REPO, source, ignore=shutil.ignore_patterns(
        ".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", "benchmarks"))
    # --no-isolation: the build tools are in the test environment; an isolated build would need
    # the network.
    subprocess.run([sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(dist), str(source)],
                   check=True, capture_output=True, cwd=tmp_path)
    (wheel,) = dist.glob("gan_augment-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "gan_augment/cli/main.py" in names
    assert not any(name.startswith("cli/") for name in names), "cli/ must ship as gan_augment.cli only"
    assert "gan_augment/data/bundled/adult_sample.csv" in names
    # Every module of the source tree ships: pyproject lists the packages by hand, and the editable
    # install the tests run on hides one left out (gan_augment.kinds was, and no installed copy could fit).
    sources = {f"gan_augment/{path.relative_to(REPO / 'gan_augment').as_posix()}"
               for path in (REPO / "gan_augment").rglob("*.py")}
    sources |= {f"gan_augment/cli/{path.relative_to(REPO / 'cli').as_posix()}" for path in (REPO / "cli").rglob("*.py")}
    assert sorted(sources - set(names)) == []

    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python = env_dir / "bin" / "python"
    # Reuse the installed dependencies (torch included) instead of downloading them: a .pth line
    # puts this environment's site-packages behind the fresh one's (without its editable hooks).
    fresh_site = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                                     check=True, capture_output=True, text=True).stdout.strip())
    (fresh_site / "reuse_test_env.pth").write_text(sysconfig.get_path("purelib") + "\n")
    subprocess.run([str(python), "-m", "pip", "install", "--no-index", "--no-deps", "-q", str(wheel)],
                   check=True, capture_output=True)

    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    result = subprocess.run([str(env_dir / "bin" / "gan-augment"), "--help"], capture_output=True, text=True,
                            env=env, cwd=tmp_path, timeout=120)
    assert result.returncode == 0, result.stderr
    for command in ("fit", "sample", "augment", "info", "demo", "evaluate"):
        assert command in result.stdout
    where = subprocess.run([str(python), "-c", "import gan_augment.cli, sys; print(gan_augment.cli.__file__)"],
                           capture_output=True, text=True, env=env, cwd=tmp_path, check=True).stdout
    assert str(fresh_site) in where, f"gan_augment.cli was imported from {where}, not from the wheel"
    # Every module imports from the installed copy (the augmenter imports the kinds when it is imported).
    imported = subprocess.run([str(python), "-c", "import importlib, pkgutil, gan_augment\n"
                               "for m in pkgutil.walk_packages(gan_augment.__path__, 'gan_augment.'):\n"
                               "    importlib.import_module(m.name)\n"
                               "import gan_augment.kinds; print(gan_augment.kinds.__file__)"],
                              capture_output=True, text=True, env=env, cwd=tmp_path)
    assert imported.returncode == 0 and str(fresh_site) in imported.stdout, imported.stderr


def test_every_library_the_package_imports_is_a_declared_dependency():
    # scipy and joblib were imported at module level but only installed because scikit-learn needs them.
    import ast
    import importlib.metadata
    import re
    import tomllib

    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    requirements = project["dependencies"] + [r for extra in project["optional-dependencies"].values() for r in extra]
    declared = {re.split(r"[<>=!~\[; ]", requirement, maxsplit=1)[0].lower() for requirement in requirements}
    imported = set()
    for path in [*(REPO / "gan_augment").rglob("*.py"), *(REPO / "cli").rglob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                imported.update(alias.name.partition(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                imported.add(node.module.partition(".")[0])
    third_party = imported - set(sys.stdlib_module_names) - {"gan_augment", "cli", "__future__"}
    distributions = importlib.metadata.packages_distributions()
    undeclared = {name: distributions.get(name) for name in third_party
                  if not {d.lower() for d in distributions.get(name, [name])} & declared}
    assert not undeclared
