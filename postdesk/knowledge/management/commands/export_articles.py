from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand

from postdesk.knowledge.models import Article
from postdesk.knowledge.services import article_export


class Command(BaseCommand):
    help = "Export every article (or --public ones only) as Markdown files into a folder."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("folder")
        parser.add_argument("--public", action="store_true", help="only public articles")

    def handle(self, *args: Any, **options: Any) -> None:
        folder = Path(options["folder"])
        folder.mkdir(parents=True, exist_ok=True)
        articles = Article.objects.select_related("category", "successor", "owner_unit")
        if options["public"]:
            articles = articles.filter(visibility="public")
        count = 0
        for article in articles.order_by("pk"):
            (folder / f"{article.pk:05d}.md").write_text(
                article_export(article=article), encoding="utf-8"
            )
            count += 1
        self.stdout.write(f"exported {count} articles to {folder}")
