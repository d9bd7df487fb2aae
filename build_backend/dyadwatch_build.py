"""setuptools' build backend, asking for mypy (which provides mypyc) only when a compiled build is requested.

pyproject.toml names this module as the backend (backend-path), so a plain `pip install .` or `pip install -e .`
does not download a compiler it will not use; DYADWATCH_MYPYC=1 adds it (see setup.py).
"""

from __future__ import annotations

import os

from setuptools import build_meta as _setuptools
from setuptools.build_meta import *  # noqa: F403  (the backend's hooks, unchanged unless redefined below)

MYPYC_REQUIREMENT = "mypy>=2.4,<3"


def _compiler() -> list[str]:
    return [MYPYC_REQUIREMENT] if os.environ.get("DYADWATCH_MYPYC", "0") == "1" else []


def get_requires_for_build_wheel(config_settings: dict | None = None) -> list[str]:
    # setuptools' own hook would run setup.py, which imports mypyc before it is installed; dyadwatch declares no
    # setup_requires, so its answer is pyproject's static list, which the frontend installs anyway.
    return _compiler()


def _refuse_compiled_editable() -> None:
    if _compiler():
        raise SystemExit(
            "DYADWATCH_MYPYC=1 builds wheels only: in an editable install the compiled modules would sit next to "
            "their sources and be imported instead of the edited .py files. Use `DYADWATCH_MYPYC=1 pip install .` "
            "(or `make compiled`) in a separate environment."
        )


def get_requires_for_build_editable(config_settings: dict | None = None) -> list[str]:
    _refuse_compiled_editable()
    return _setuptools.get_requires_for_build_editable(config_settings)


def build_editable(
    wheel_directory: str, config_settings: dict | None = None, metadata_directory: str | None = None
) -> str:
    _refuse_compiled_editable()
    return _setuptools.build_editable(wheel_directory, config_settings, metadata_directory)
