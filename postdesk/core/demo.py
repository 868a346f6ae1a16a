"""The demo centre. `postdesk seed_demo` runs every app's `demo.seed()` in this order;
`--scale N` runs each app's `demo.seed_scale(n)` for large synthetic data.

Each seeder is deterministic and idempotent (a second run adds nothing). An app joins by
having a `demo.py` with `seed(stdout)` and, if it has bulk data, `seed_scale(n, stdout)`.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from types import ModuleType

DEMO_APPS = [
    "postdesk.org",
    "postdesk.routing",
    "postdesk.customers",
    "postdesk.knowledge",
    "postdesk.tracking",
    "postdesk.workorders",
    "postdesk.notices",
    "postdesk.calls",
    "postdesk.callbacks",
    "postdesk.quality",
]

#: Six months of history for the whole centre, seeded after every app's demo: it writes
#: every app's rows, so it lives at the top of the app order (core names it, imports none).
HISTORY_MODULE = "postdesk.reports.demo_history"

DEMO_PASSWORD = "postdesk"  # demo data only; documented in the README as such


def demo_modules() -> list[ModuleType]:
    modules = []
    for app in DEMO_APPS:
        try:
            modules.append(import_module(f"{app}.demo"))
        except ModuleNotFoundError as exc:
            if exc.name != f"{app}.demo":
                raise
    return modules


def history_seeder() -> Callable[..., object]:
    """`seed_history(stdout=)` of `HISTORY_MODULE`."""
    seeder: Callable[..., object] = import_module(HISTORY_MODULE).seed_history
    return seeder
