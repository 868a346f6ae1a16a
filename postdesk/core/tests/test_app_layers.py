"""The arrows between apps point one way, and inside an app the rooms do too:
interfaces (views, API, URLs, commands, template tags, admin) → services and selectors →
models → core. Imports under ``if TYPE_CHECKING:`` are types only and draw no arrow.

Where a lower app needs a higher one it keeps a registry the higher app fills from its
``AppConfig.ready()`` (search kinds, tracking.related, notify's channels, core's nav): those
registering imports point downwards like every other."""

from __future__ import annotations

import ast
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

from postdesk.core.tests.python_source import parse as parse_python

ROOT = Path(__file__).resolve().parents[2]
APPS = {p.name for p in ROOT.iterdir() if (p / "apps.py").exists()}
INTERFACES = {"views", "api", "urls", "management", "templatetags", "admin"}
ALLOWED_UPWARDS: set[tuple[str, str]] = set()  # none: a registry instead


def runtime_imports(source: str) -> list[str]:
    """Modules (with the imported name) a module imports when it runs."""
    tree = parse_python(source)
    typing_only = {
        id(n)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
        for n in ast.walk(node)
    }
    found = []
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found += [f"{node.module}.{alias.name}" for alias in node.names]
    return found


def room(parts: list[str]) -> str:
    head = parts[0] if parts else ""
    if head in INTERFACES or head.endswith(("_api", "_views")):
        return "interface"
    if head.startswith(("services", "selectors")):
        return "logic"
    return "models" if head == "models" else "other"


def _modules():
    for path in ROOT.rglob("*.py"):
        parts = path.relative_to(ROOT).with_suffix("").parts
        if parts[0] in APPS and "tests" not in parts and "migrations" not in parts:
            yield parts[0], list(parts[1:]), runtime_imports(path.read_text(encoding="utf-8"))


def _app_graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {app: set() for app in APPS}
    for app, _parts, imports in _modules():
        for name in imports:
            target = name.split(".")
            inside = target[0] == "postdesk" and len(target) > 1 and target[1] in APPS
            if inside and target[1] != app and (app, target[1]) not in ALLOWED_UPWARDS:
                graph[app].add(target[1])
    return graph


def test_apps_import_each_other_one_way():
    try:
        order = list(TopologicalSorter(_app_graph()).static_order())
    except CycleError as exc:  # pragma: no cover - the message is the finding
        raise AssertionError(f"apps import each other in a circle: {exc.args[1]}") from None
    assert order.index("core") < order.index("tracking") < order.index("workorders")
    assert order.index("workorders") < order.index("calls")


def test_rooms_point_one_way():
    wrong = []
    for app, parts, imports in _modules():
        mine = room(parts)
        for name in imports:
            target = name.split(".")
            if target[0] != "postdesk" or len(target) < 3 or target[1] not in APPS:
                continue
            theirs = room(target[2:])
            if (mine, theirs) in {
                ("models", "logic"),
                ("models", "interface"),
                ("logic", "interface"),
            }:
                wrong.append(f"{app}/{'/'.join(parts)} ({mine}) imports {name} ({theirs})")
    assert wrong == []


def test_the_check_sees_a_circle_and_ignores_type_only_imports():
    source = (
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from postdesk.calls.models import Call\n"
        "def f():\n    from postdesk.workorders.selectors import work_orders_visible\n"
    )
    assert runtime_imports(source) == [
        "typing.TYPE_CHECKING",
        "postdesk.workorders.selectors.work_orders_visible",
    ]
    try:
        list(TopologicalSorter({"a": {"b"}, "b": {"a"}}).static_order())
    except CycleError:
        pass
    else:  # pragma: no cover
        raise AssertionError("a circle went unseen")
    assert room(["views"]) == "interface" and room(["services", "create"]) == "logic"
    assert room(["models"]) == "models" and room(["tasks"]) == "other"
