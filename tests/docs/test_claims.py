"""What the code says of itself holds: one exception tree, drawn where it is defined."""

from __future__ import annotations

import importlib
import pkgutil

import monitor
import monitor.errors
from monitor.errors import MonitorError


def _subclasses(cls: type) -> set[type]:
    found: set[type] = set(cls.__subclasses__())
    return found.union(*(_subclasses(sub) for sub in found))


def test_every_monitor_error_lives_in_errors_py_and_is_drawn_in_its_tree() -> None:
    for module in pkgutil.walk_packages(monitor.__path__, "monitor."):
        if module.name.endswith("__main__") or module.name.startswith("monitor._"):
            continue  # the CLI itself; Alembic's scripts and seed data
        importlib.import_module(module.name)
    errors = _subclasses(MonitorError)
    assert len(errors) >= 15, sorted(e.__name__ for e in errors)
    outside = sorted(f"{e.__module__}.{e.__qualname__}" for e in errors
                     if e.__module__ != "monitor.errors")
    assert outside == []
    tree = monitor.errors.__doc__ or ""
    undrawn = sorted(e.__name__ for e in errors if f"── {e.__name__}" not in tree)
    assert undrawn == []
