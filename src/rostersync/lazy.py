"""Package faces that import a module when one of its names is first used (PEP 562).

A package's `__init__` importing every module made each command pay for all of them: listing
the providers loaded the database, web and SCIM stacks. A package lists what it exports, under
TYPE_CHECKING for the type checker, and hands the same names to `exports` for run time.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping


def exports(package: str, modules: Mapping[str, tuple[str, ...]]) -> Callable[[str], object]:
    """The package's module `__getattr__`: `modules` maps each module of the package (by its
    name under it) to the names it exports; a module exported as itself lists its own name."""
    where = {name: module for module, names in modules.items() for name in names}
    if len(where) != sum(len(names) for names in modules.values()):
        raise ValueError(f"{package} exports one name from two modules")

    def attribute(name: str) -> object:
        module = where.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        loaded = importlib.import_module(f"{package}.{module}")
        value = loaded if module == name else getattr(loaded, name)
        # Kept on the package, so the next use is a plain attribute read.
        setattr(sys.modules[package], name, value)
        return value

    return attribute
