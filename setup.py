"""Builds dyadwatch. With DYADWATCH_MYPYC=1 the modules on the tagging path are compiled to C extensions with mypyc,
as black and mypy ship theirs; without it (the default, and every editable install) the package is pure Python.

    DYADWATCH_MYPYC=1 pip install .          # or: make compiled   (needs a C compiler and the Python headers)

Only modules listed in COMPILED are compiled; their .py files ship too, and a compiled module is used in their place.
"""

from __future__ import annotations

import os
from pathlib import Path

from setuptools import setup

COMPILED = [
    "processors/analysis.py",
    "processors/article.py",
    "processors/context.py",
    "processors/dateline.py",
    "processors/direction.py",
    "processors/dyads.py",
    "processors/gazetteer.py",
    "processors/instants.py",
    "processors/limits.py",
    "processors/matcher.py",
    "processors/pair_tone.py",
    "processors/sentiment.py",
    "processors/tagger.py",
    "processors/territories.py",
    "processors/text.py",
    "processors/vader.py",
    "processors/windows.py",
]


def compiled_modules() -> list:
    if os.environ.get("DYADWATCH_MYPYC", "0") != "1":
        return []
    from mypyc.build import mypycify  # a build requirement only when compiling (build_backend/dyadwatch_build.py)

    # mypyc names a module after its path, so it compiles them from a tree laid out as they install:
    # build/mypyc-src/dyadwatch/processors -> processors/ (see pyproject.toml's package-dir).
    stage = Path("build", "mypyc-src", "dyadwatch")
    stage.mkdir(parents=True, exist_ok=True)
    (stage / "__init__.py").touch()
    for package in ("processors", "schemas"):  # schemas: the topic contracts the compiled modules write
        link = stage / package
        if not link.is_symlink():
            link.symlink_to(Path(package).resolve(), target_is_directory=True)
    # vaderSentiment and ahocorasick_rs ship no type information; they are called as ordinary Python objects.
    return mypycify(["--ignore-missing-imports", *(str(stage.parent / "dyadwatch" / path) for path in COMPILED)],
                    opt_level="3")  # fmt: skip


setup(ext_modules=compiled_modules())
