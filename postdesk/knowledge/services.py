"""Writes of the knowledge base: articles (save, import, views), service phrases, and the
forbidden-phrase check every written reply to a customer goes through.

Other apps call:
- `phrase_check(text=…) -> list[Finding]` before a reply is sent (empty list: fine);
- nothing else here is needed outside the knowledge app.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from postdesk.core.errors import PayloadTooLarge, UnsupportedMedia, ValidationFailed
from postdesk.knowledge import search
from postdesk.knowledge.markdown_io import (
    ArticleData,
    FrontMatterError,
    parse_article,
    render_article,
    render_html,
)
from postdesk.knowledge.models import (
    Article,
    ArticleVersion,
    Category,
    ForbiddenKind,
    ForbiddenRule,
    Phrase,
    Tag,
)
from postdesk.org.models import Unit, User

CONTENT_DIR = Path(__file__).resolve().parent / "content"
ARTICLE_KIND = "article"
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_FILE_BYTES = 1024 * 1024
MAX_CHECK_CHARS = 20_000


# --- articles ----------------------------------------------------------------------------------
def category_ensure(*, path: str) -> Category:
    """The category at `path` ("业务/特快专递"), creating it and its parents as needed."""
    parts = [p.strip() for p in path.split("/") if p.strip()]
    if not parts:
        raise ValidationFailed(fields={"category": _("This field is required.")})
    parent: Category | None = None
    for depth in range(1, len(parts) + 1):
        full = "/".join(parts[:depth])
        parent, _created = Category.objects.get_or_create(
            path=full, defaults={"name": parts[depth - 1][:50], "parent": parent}
        )
    assert parent is not None
    return parent


def _snapshot(data: ArticleData) -> dict[str, Any]:
    return {
        "category": data.category,
        "visibility": data.visibility,
        "effective_from": data.effective_from.isoformat(),
        "effective_to": data.effective_to.isoformat() if data.effective_to else None,
        "tags": sorted(data.tags),
        "services": sorted(data.services),
        "successor": data.successor,
        "owner_unit": data.owner_unit,
        "review_date": data.review_date.isoformat() if data.review_date else None,
    }


def article_data(article: Article) -> ArticleData:
    """The article as import/export data (the Markdown file's content)."""
    return ArticleData(
        title=article.title,
        category=article.category.path,
        visibility=article.visibility,
        effective_from=article.effective_from,
        effective_to=article.effective_to,
        tags=tuple(t.name for t in article.tags.all()),
        services=tuple(str(s) for s in article.services),
        successor=article.successor.title if article.successor else article.successor_title,
        owner_unit=article.owner_unit.code if article.owner_unit else "",
        review_date=article.review_date,
        body=article.body,
    )


def article_export(*, article: Article) -> str:
    return render_article(article_data(article))


def article_document(article: Article) -> search.Document:
    """The article as a search document: the one place that says what is searched (its
    title and tags; its category, services and text). Read with its category and tags."""
    return search.Document(
        object_id=article.pk,
        title=" ".join([article.title, *(t.name for t in article.tags.all())]),
        body=" ".join(
            [
                article.category.path,
                " ".join(str(s) for s in article.services),
                search.plain_text(article.body),
            ]
        ),
    )


def article_index(*, article: Article) -> None:
    """(Re)index one article in the search engine (inside the caller's transaction)."""
    document = article_document(article)
    search.index_document(
        kind=ARTICLE_KIND, object_id=document.object_id, title=document.title, body=document.body
    )


def article_documents() -> Iterable[search.Document]:
    """Every article as a search document (the source of `search_reindex --kind article`)."""
    articles = Article.objects.select_related("category").prefetch_related("tags").order_by("pk")
    for article in articles.iterator(chunk_size=500):
        yield article_document(article)


def _unit(code: str) -> Unit | None:
    if not code:
        return None
    unit = Unit.objects.filter(code=code).first()
    if unit is None:
        raise ValidationFailed(
            _("Unknown unit code: %(code)s") % {"code": code}, fields={"owner_unit": code}
        )
    return unit


def article_save(
    *, data: ArticleData, actor: User | None = None, note: str = "", article_id: int | None = None
) -> tuple[Article, str]:
    """Create or update the article (matched by `article_id`, else by title). A change
    writes a new version (who, when, which fields); saving identical content writes
    nothing. Returns the article and "created", "updated" or "unchanged"."""
    with transaction.atomic():
        if article_id is not None:
            article = Article.objects.select_for_update().filter(pk=article_id).first()
            if article is None:
                raise ValidationFailed(_("This article does not exist any more."))
            clash = Article.objects.filter(title=data.title).exclude(pk=article_id).exists()
            if clash:
                raise ValidationFailed(
                    fields={"title": _("Another article already has this title.")}
                )
        else:
            article = Article.objects.select_for_update().filter(title=data.title).first()
        owner = _unit(data.owner_unit)
        category = category_ensure(path=data.category)
        successor = Article.objects.filter(title=data.successor).first() if data.successor else None
        if article is not None:
            previous = ArticleVersion.objects.filter(article=article).order_by("-number").first()
            before = previous.meta if previous else {}
            if (
                previous is not None
                and previous.title == data.title
                and previous.body.strip() == data.body.strip()
                and before == _snapshot(data)
            ):
                return article, "unchanged"
            changed = [k for k, v in _snapshot(data).items() if before.get(k) != v]
            if previous is None or previous.title != data.title:
                changed.insert(0, "title")
            if previous is None or previous.body.strip() != data.body.strip():
                changed.append("body")
            article.version = F("version") + 1
            outcome = "updated"
        else:
            article = Article(title=data.title, version=1, effective_from=data.effective_from)
            changed = ["created"]
            outcome = "created"
        article.title = data.title
        article.body = data.body
        article.body_html = render_html(data.body)
        article.category = category
        article.services = list(data.services)
        article.visibility = data.visibility
        article.effective_from = data.effective_from
        article.effective_to = data.effective_to
        article.successor = successor if successor is None or successor.pk != article.pk else None
        article.successor_title = data.successor
        article.owner_unit = owner
        article.review_date = data.review_date
        article.updated_by = actor
        article.save()
        article.refresh_from_db(fields=["version"])
        tags = [Tag.objects.get_or_create(name=name)[0] for name in data.tags]
        article.tags.set(tags)
        ArticleVersion.objects.create(
            article=article,
            number=article.version,
            title=data.title,
            body=data.body,
            meta=_snapshot(data),
            changed_fields=changed,
            note=note[:200],
            changed_by=actor,
        )
        # articles that name this one as successor now find it
        Article.objects.filter(successor_title=article.title).exclude(pk=article.pk).update(
            successor=article
        )
        article_index(article=article)
    return article, outcome


def article_view_record(*, article_id: int) -> None:
    Article.objects.filter(pk=article_id).update(view_count=F("view_count") + 1)


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    rejected: list[tuple[str, str]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": [{"file": name, "reason": reason} for name, reason in self.rejected],
        }


def articles_import(
    *, files: Iterable[tuple[str, bytes | str]], actor: User | None = None
) -> ImportReport:
    """Import Markdown files `(name, content)`. Each good file is saved in its own
    transaction (a new version when its title exists); a broken file is reported by name
    and reason and the others are imported."""
    report = ImportReport()
    seen: set[str] = set()
    for name, content in files:
        try:
            text = content.decode("utf-8") if isinstance(content, bytes) else content
        except UnicodeDecodeError:
            report.rejected.append((name, "the file is not UTF-8 text"))
            continue
        if len(text.encode()) > MAX_FILE_BYTES:
            report.rejected.append((name, "the file is larger than 1 MB"))
            continue
        try:
            data = parse_article(text)
        except FrontMatterError as exc:
            report.rejected.append((name, str(exc)))
            continue
        if data.title in seen:
            report.rejected.append(
                (name, f"another file in this import has the title {data.title}")
            )
            continue
        seen.add(data.title)
        try:
            article, outcome = article_save(data=data, actor=actor, note=f"import {name}"[:200])
        except ValidationFailed as exc:
            detail = "; ".join(str(v) for v in exc.fields.values()) or str(exc.message)
            report.rejected.append((name, detail))
            continue
        getattr(report, outcome).append(article.title)
    return report


def _markdown_files(path: Path) -> list[tuple[str, bytes]]:
    if path.is_dir():
        files = sorted(p for p in path.rglob("*.md") if p.is_file())
        return [(str(p.relative_to(path)), p.read_bytes()) for p in files]
    return [(path.name, path.read_bytes())]


def articles_import_path(*, path: Path, actor: User | None = None) -> ImportReport:
    """Import a Markdown file or every *.md under a folder."""
    if not path.exists():
        raise ValidationFailed(_("No such file or folder: %(path)s") % {"path": str(path)})
    return articles_import(files=_markdown_files(path), actor=actor)


def articles_import_upload(*, name: str, content: bytes, actor: User | None = None) -> ImportReport:
    """An uploaded .md file, or a .zip of them."""
    if len(content) > MAX_UPLOAD_BYTES:
        raise PayloadTooLarge(_("The upload is larger than 5 MB."))
    lower = name.lower()
    if lower.endswith(".md") or lower.endswith(".markdown"):
        return articles_import(files=[(name, content)], actor=actor)
    if lower.endswith(".zip"):
        try:
            archive = zipfile.ZipFile(io.BytesIO(content))
        except zipfile.BadZipFile:
            raise UnsupportedMedia(_("The file is not a valid zip archive.")) from None
        files: list[tuple[str, bytes]] = []
        total = 0
        for info in archive.infolist():
            if info.is_dir() or not info.filename.lower().endswith(".md"):
                continue
            total += info.file_size
            if total > 4 * MAX_UPLOAD_BYTES:
                raise PayloadTooLarge(_("The archive unpacks to more than 20 MB."))
            files.append((info.filename, archive.read(info)))
        return articles_import(files=sorted(files), actor=actor)
    raise UnsupportedMedia(_("Upload a Markdown file (.md) or a zip of them."))


def articles_export_zip(*, articles: Iterable[Article]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for article in articles:
            archive.writestr(f"{article.pk:05d}.md", article_export(article=article))
    return buffer.getvalue()


# --- service phrases and the forbidden-phrase check -------------------------------------------
def phrases_load(*, path: Path | None = None) -> dict[str, int]:
    """Load phrases.yaml (phrases by key, forbidden rules by pattern+kind), idempotently."""
    source = path or CONTENT_DIR / "phrases.yaml"
    try:
        doc = yaml.safe_load(source.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ValidationFailed(_("The phrase file cannot be read: %(e)s") % {"e": exc}) from None
    counts = {"phrases": 0, "rules": 0}
    with transaction.atomic():
        for position, item in enumerate(doc.get("phrases") or []):
            Phrase.objects.update_or_create(
                key=str(item["key"]),
                defaults={
                    "category": str(item["category"]),
                    "caller_type": str(item.get("caller_type") or ""),
                    "text": str(item["text"]).strip(),
                    "position": position,
                },
            )
            counts["phrases"] += 1
        for item in doc.get("forbidden") or []:
            pattern = str(item["pattern"])
            is_regex = bool(item.get("regex"))
            if is_regex:
                re.compile(pattern)
            ForbiddenRule.objects.update_or_create(
                pattern=pattern,
                kind=str(item["kind"]),
                defaults={
                    "is_regex": is_regex,
                    "reason": str(item["reason"])[:300],
                    "suggestion": str(item.get("suggestion") or "")[:300],
                },
            )
            counts["rules"] += 1
    _bundled_rules.cache_clear()
    return counts


@dataclass(frozen=True)
class Finding:
    """One forbidden phrase found in a reply: what matched, where, of which kind, why."""

    text: str
    kind: str
    reason: str
    start: int
    end: int
    suggestion: str = ""  # the service phrase to say instead (may be empty)

    @property
    def kind_label(self) -> str:
        return (
            str(ForbiddenKind(self.kind).label) if self.kind in ForbiddenKind.values else self.kind
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "kind": self.kind,
            "kind_label": self.kind_label,
            "reason": self.reason,
            "start": self.start,
            "end": self.end,
            "suggestion": self.suggestion,
        }


@dataclass(frozen=True)
class _Rule:
    pattern: re.Pattern[str]
    kind: str
    reason: str
    suggestion: str = ""


@lru_cache(maxsize=1)
def _bundled_rules() -> tuple[_Rule, ...]:
    doc = yaml.safe_load((CONTENT_DIR / "phrases.yaml").read_text(encoding="utf-8")) or {}
    return tuple(
        _Rule(
            _compile(str(i["pattern"]), bool(i.get("regex"))),
            str(i["kind"]),
            str(i["reason"]),
            str(i.get("suggestion") or ""),
        )
        for i in doc.get("forbidden") or []
    )


def _compile(pattern: str, is_regex: bool) -> re.Pattern[str]:
    return re.compile(pattern if is_regex else re.escape(pattern), re.IGNORECASE)


def _rules() -> tuple[_Rule, ...]:
    stored = list(ForbiddenRule.objects.filter(is_active=True).order_by("id"))
    if not stored and not ForbiddenRule.objects.exists():
        return _bundled_rules()  # a database without the starting content still checks
    rules = []
    for rule in stored:
        try:
            rules.append(
                _Rule(
                    _compile(rule.pattern, rule.is_regex), rule.kind, rule.reason, rule.suggestion
                )
            )
        except re.error:
            continue
    return tuple(rules)


def phrase_check(*, text: str) -> list[Finding]:
    """Forbidden phrases (cold words, internal terms, managers' contacts) in a written
    reply to a customer, in the order they appear; an empty list means it may be sent.
    Call it before sending; show each finding's `reason` to the writer."""
    text = (text or "")[:MAX_CHECK_CHARS]
    if not text.strip():
        return []
    found: list[Finding] = []
    for rule in _rules():
        for match in rule.pattern.finditer(text):
            if match.end() > match.start():
                found.append(
                    Finding(
                        match.group(),
                        rule.kind,
                        rule.reason,
                        match.start(),
                        match.end(),
                        rule.suggestion,
                    )
                )
    kept = [
        f
        for f in found
        if not any(
            o is not f
            and o.kind == f.kind
            and o.start <= f.start
            and f.end <= o.end
            and (o.end - o.start) > (f.end - f.start)
            for o in found
        )
    ]
    unique: dict[tuple[int, int, str], Finding] = {}
    for f in sorted(kept, key=lambda f: (f.start, -f.end)):
        unique.setdefault((f.start, f.end, f.kind), f)
    return list(unique.values())
