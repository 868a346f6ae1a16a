"""The demo centre's knowledge base: the articles, service phrases and forbidden-phrase
rules written for postdesk (content/), imported idempotently (a second run changes
nothing; an edited file becomes a new version)."""

from __future__ import annotations

from typing import Any

from postdesk.knowledge.services import CONTENT_DIR, articles_import_path, phrases_load


def seed(stdout: Any = None) -> None:
    report = articles_import_path(path=CONTENT_DIR / "articles")
    counts = phrases_load()
    if stdout is not None:
        stdout.write(
            f"  knowledge: {len(report.created)} articles created, {len(report.updated)} "
            f"updated, {len(report.unchanged)} unchanged, {len(report.rejected)} rejected; "
            f"{counts['phrases']} phrases, {counts['rules']} forbidden-phrase rules"
        )
        for name, reason in report.rejected:
            stdout.write(f"    rejected {name}: {reason}")
