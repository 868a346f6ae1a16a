"""The `postdesk` console command: every Django management command, plus `serve`."""

from __future__ import annotations

import os
import sys


def _metrics_dir_for_serve() -> None:
    """`postdesk serve` runs several gunicorn workers: their metrics are summed through
    files (prometheus_client's multi-process mode), which must be named before anything
    imports the library — so here, first. An operator's PROMETHEUS_MULTIPROC_DIR wins."""
    if sys.argv[1:2] != ["serve"]:
        return
    from pathlib import Path

    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        var = os.environ.get("POSTDESK_VAR_DIR") or Path(__file__).resolve().parent.parent / "var"
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(Path(var) / "prometheus" / str(os.getpid()))
    # a new server counts from zero, as a restarted single process would
    directory = Path(os.environ["PROMETHEUS_MULTIPROC_DIR"])
    directory.mkdir(parents=True, exist_ok=True)
    for stale in directory.glob("*.db"):
        stale.unlink()


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "postdesk.settings")
    _metrics_dir_for_serve()
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
