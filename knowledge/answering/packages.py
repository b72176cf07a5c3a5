"""Data files shipped inside installed packages, found without importing the packages."""

from __future__ import annotations

import importlib.util
from pathlib import Path


def package_dir(name: str) -> Path | None:
    """The folder of the installed package ``name``, or None when it is not installed.

    find_spec does not import the package: its __init__ never runs, so neither its start-up
    cost nor its own behaviour reaches groundbot.
    """
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))
