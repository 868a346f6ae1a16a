"""Translations are kept per app: `postdesk/<app>/locale/zh_Hans/LC_MESSAGES/django.po`.

Message ids are English; the Chinese catalogue is the one the UI shows by default.
- `postdesk i18n --extract` runs Django's makemessages in each app (needs GNU gettext)
  so new strings appear in the app's .po with an empty translation;
- `postdesk i18n --check` fails when any entry is untranslated or fuzzy;
- `postdesk i18n --compile` writes the .mo files (pure Python, polib; no gettext needed),
  which `make run` and `make test` do on every start.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import polib

PACKAGE_DIR = Path(__file__).resolve().parent.parent
LANGUAGE = "zh_Hans"


def app_dirs() -> list[Path]:
    return sorted(p.parent for p in PACKAGE_DIR.glob("*/apps.py"))


def po_path(app_dir: Path) -> Path:
    return app_dir / "locale" / LANGUAGE / "LC_MESSAGES" / "django.po"


def extract() -> None:
    for app_dir in app_dirs():
        po_path(app_dir).parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            # the console script, not `python -m`: cwd on sys.path would let the app's
            # selectors.py shadow the standard library's `selectors`
            [
                str(Path(sys.executable).parent / "postdesk"),
                "makemessages",
                "-l",
                LANGUAGE,
                "--no-obsolete",
                "--no-location",
                "-i",
                "tests/*",
                "-i",
                "migrations/*",
            ],
            cwd=app_dir,
            check=True,
        )


def problems() -> list[str]:
    found = []
    for app_dir in app_dirs():
        path = po_path(app_dir)
        if not path.exists():
            continue
        catalogue = polib.pofile(str(path))
        for entry in catalogue:
            if entry.obsolete:
                continue
            if entry.fuzzy or not entry.translated():
                found.append(f"{path.relative_to(PACKAGE_DIR.parent)}: {entry.msgid!r}")
    return found


def compile_all() -> int:
    count = 0
    for app_dir in app_dirs():
        path = po_path(app_dir)
        if path.exists():
            polib.pofile(str(path)).save_as_mofile(str(path.with_suffix(".mo")))
            count += 1
    return count
