"""`core` is the base: it imports no app. Apps join it through registries (nav, home
panels, demo, retention, deep health checks, context processors of their own).

Nothing crosses the line, not even for types: the staff user's typed accessor
(`staff_user`) lives in `org.request`, beside the model it returns."""

from __future__ import annotations

import ast
from pathlib import Path

from postdesk.core.tests.python_source import parse as parse_python

CORE = Path(__file__).resolve().parent.parent
APPS = {
    p.name
    for p in CORE.parent.iterdir()
    if p.is_dir() and (p / "apps.py").exists() and p.name != "core"
}


def _app_imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(parse_python(path.read_text(encoding="utf-8"))):
        names = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        for name in names:
            parts = name.split(".")
            if parts[0] == "postdesk" and len(parts) > 1 and parts[1] in APPS:
                found.add(name)
    return found


def test_core_imports_no_app():
    assert {"org", "notify", "workorders", "calls"} <= APPS
    crossing = set()
    for path in CORE.rglob("*.py"):
        relative = path.relative_to(CORE)
        if relative.parts[0] in {"tests", "migrations"}:
            continue
        crossing |= {(relative.as_posix(), name) for name in _app_imports(path)}
    assert crossing == set()


def test_the_check_sees_imports_inside_functions(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from postdesk.notify.selectors import x\n", encoding="utf-8")
    assert _app_imports(module) == {"postdesk.notify.selectors"}
