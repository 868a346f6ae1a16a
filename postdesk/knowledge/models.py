"""Knowledge base: articles (with categories, tags, versions), service phrases, the
forbidden-phrase rules, and the tables of the search engine (`knowledge.search`)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from postdesk.core.models import TimeStamped


class Visibility(models.TextChoices):
    INTERNAL = "internal", _("internal")
    PUBLIC = "public", _("public")


class Category(models.Model):
    """A node of the category tree; `path` is the full name ("业务/特快专递")."""

    name = models.CharField(_("name"), max_length=50)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("parent category"),
    )
    path = models.CharField(_("full name"), max_length=200, unique=True)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["path"]

    def __str__(self) -> str:
        return self.path


class Tag(models.Model):
    name = models.CharField(_("name"), max_length=50, unique=True)

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Article(TimeStamped):
    title = models.CharField(_("title"), max_length=200, unique=True)
    body = models.TextField(_("body (Markdown)"), blank=True)
    body_html = models.TextField(_("body (sanitised HTML)"), blank=True, editable=False)
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="articles", verbose_name=_("category")
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="articles", verbose_name=_("tags"))
    services = models.JSONField(_("services"), default=list, blank=True)
    visibility = models.CharField(
        _("visibility"),
        max_length=10,
        choices=Visibility.choices,
        default=Visibility.INTERNAL,
        db_index=True,
    )
    effective_from = models.DateField(_("effective from"), db_index=True)
    effective_to = models.DateField(_("effective to"), null=True, blank=True, db_index=True)
    successor = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="predecessors",
        verbose_name=_("successor"),
    )
    successor_title = models.CharField(_("successor title"), max_length=200, blank=True)
    owner_unit = models.ForeignKey(
        "org.Unit",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("owner unit"),
    )
    review_date = models.DateField(_("review date"), null=True, blank=True)
    view_count = models.PositiveIntegerField(_("views"), default=0)
    version = models.PositiveIntegerField(_("version"), default=1)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class ArticleVersion(models.Model):
    """One saved state of an article: who changed what, and when."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    meta = models.JSONField(default=dict)
    changed_fields = models.JSONField(default=list)
    note = models.CharField(max_length=200, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    changed_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["article", "number"], name="kb_version_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.title} v{self.number}"


class PhraseCategory(models.TextChoices):
    GREETING = "greeting", _("greeting")
    IDENTITY_CHECK = "identity_check", _("identity check")
    HOLD = "hold", _("hold")
    TRANSFER = "transfer", _("transfer")
    APOLOGY = "apology", _("apology")
    REFUSAL = "refusal", _("refusal")
    CLOSING = "closing", _("closing")
    COMPLAINT = "complaint", _("complaint intake")
    FOLLOW_UP = "follow_up", _("follow-up call")


class CallerType(models.TextChoices):
    ANY = "", _("any caller")
    AGITATED = "agitated", _("agitated caller")
    CONFUSED = "confused", _("confused caller")
    DEMANDING = "demanding", _("demanding caller")


class Phrase(models.Model):
    key = models.CharField(_("key"), max_length=60, unique=True)
    category = models.CharField(_("category"), max_length=20, choices=PhraseCategory.choices)
    caller_type = models.CharField(
        _("caller type"), max_length=20, choices=CallerType.choices, blank=True, default=""
    )
    text = models.TextField(_("text"))
    position = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("service phrase")
        verbose_name_plural = _("service phrases")
        ordering = ["position", "key"]

    def __str__(self) -> str:
        return self.key


class ForbiddenKind(models.TextChoices):
    COLD_WORDS = "cold_words", _("cold or evasive words")
    INTERNAL_TERMS = "internal_terms", _("internal term")
    MANAGER_PHONE = "manager_phone", _("manager's contact")


class ForbiddenRule(models.Model):
    pattern = models.CharField(_("pattern"), max_length=300)
    kind = models.CharField(_("kind"), max_length=20, choices=ForbiddenKind.choices)
    is_regex = models.BooleanField(_("regular expression"), default=False)
    reason = models.CharField(_("reason"), max_length=300)
    suggestion = models.CharField(_("service phrase"), max_length=300, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("forbidden phrase")
        verbose_name_plural = _("forbidden phrases")
        ordering = ["kind", "id"]
        constraints = [
            models.UniqueConstraint(fields=["pattern", "kind"], name="kb_forbidden_unique"),
        ]

    def __str__(self) -> str:
        return self.pattern


# --- the search engine's tables (see postdesk.knowledge.search) ------------------------------
class SearchDocument(models.Model):
    """One indexed document of any kind. Its tokens live in the database's own full-text
    index: an FTS5 table `knowledge_searchfts` (rowid = id) on SQLite, the `tsv` and
    `title_tsv` tsvector columns with GIN indexes on PostgreSQL (both added by migration)."""

    kind = models.CharField(max_length=30)
    object_id = models.BigIntegerField()
    title = models.CharField(max_length=300, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="kb_searchdoc_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.object_id}"


class SearchExact(models.Model):
    """Identifiers (waybill, phone, work-order numbers) found by exact match."""

    kind = models.CharField(max_length=30)
    object_id = models.BigIntegerField()
    value = models.CharField(max_length=64)

    class Meta:
        indexes = [
            models.Index(fields=["value", "kind"], name="kb_searchexact_value"),
            models.Index(fields=["kind", "object_id"], name="kb_searchexact_obj"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.object_id}={self.value}"
