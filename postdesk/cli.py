"""The `postdesk` console command: every Django management command, plus `serve`."""

from __future__ import annotations

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "postdesk.settings")
    if sys.argv[1:2] == ["serve"] and "DB_PREPARE_THRESHOLD" not in os.environ:
        # see settings: web processes prepare, their embedded worker does not (serve)
        os.environ["DB_PREPARE_THRESHOLD"] = "5"
        os.environ["POSTDESK_PREPARE_FOR_WEB"] = "1"
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
