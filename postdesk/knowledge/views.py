"""Pages of the knowledge base (staff). Thin: parse, call a selector or service, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import FieldDoesNotExist
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from postdesk.core.errors import DomainError, NotFound
from postdesk.core.forms import add_domain_error
from postdesk.knowledge import selectors, services
from postdesk.knowledge.forms import ArticleForm, ImportForm
from postdesk.knowledge.models import Article, Visibility
from postdesk.org.request import staff_user


def _article_or_404(request: HttpRequest, article_id: int) -> Article:
    try:
        return selectors.article_get(user=staff_user(request), article_id=article_id)
    except NotFound:
        raise Http404 from None


def _forbid_unless_editor(request: HttpRequest) -> None:
    if not selectors.can_edit_articles(user=staff_user(request)):
        raise Http404


@login_required
@require_GET
def search(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    q = request.GET.get("q", "").strip()[:200]
    category = request.GET.get("category", "").strip()
    visibility = request.GET.get("visibility", "")
    current = request.GET.get("current") == "1"
    hits = (
        selectors.articles_search(
            user=user,
            query=q,
            category=category,
            visibility=visibility,
            current_only=current,
            limit=30,
        )
        if q
        else []
    )
    browse = None
    if not q:
        articles = selectors.articles_browse(
            user=user, category=category, visibility=visibility, current_only=current
        )
        browse = Paginator(articles, 30).get_page(request.GET.get("page"))
    return render(
        request,
        "knowledge/search.html",
        {
            "q": q,
            "category": category,
            "visibility": visibility,
            "current": current,
            "hits": hits,
            "browse": browse,
            "categories": selectors.categories(),
            "visibilities": Visibility.choices,
            "can_edit": selectors.can_edit_articles(user=user),
            "today": selectors.today(),
        },
    )


def _field_label(name: str) -> str:
    """A changed field of an article version as the reader knows it (never the code)."""
    if name == "created":
        return _("new")
    try:
        field = Article._meta.get_field(name)
    except FieldDoesNotExist:
        return name
    return str(getattr(field, "verbose_name", name))


@login_required
@require_GET
def article_detail(request: HttpRequest, article_id: int) -> HttpResponse:
    article = _article_or_404(request, article_id)
    services.article_view_record(article_id=article.pk)
    return render(
        request,
        "knowledge/article.html",
        {
            "article": article,
            "status": selectors.status_of(article),
            "versions": [
                (v, [_field_label(name) for name in v.changed_fields])
                for v in selectors.article_versions(article=article)[:20]
            ],
            "predecessors": article.predecessors.order_by("-effective_from"),
            "can_edit": selectors.can_edit_articles(user=staff_user(request)),
        },
    )


@login_required
@require_GET
def article_export(request: HttpRequest, article_id: int) -> HttpResponse:
    article = _article_or_404(request, article_id)
    response = HttpResponse(
        services.article_export(article=article), content_type="text/markdown; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="article-{article.pk}.md"'
    return response


@login_required
@require_GET
def export_all(request: HttpRequest) -> HttpResponse:
    _forbid_unless_editor(request)
    articles = selectors.articles_browse(user=staff_user(request)).prefetch_related("tags")
    response = HttpResponse(
        services.articles_export_zip(articles=articles), content_type="application/zip"
    )
    response["Content-Disposition"] = 'attachment; filename="knowledge-base.zip"'
    return response


@login_required
def article_edit(request: HttpRequest, article_id: int | None = None) -> HttpResponse:
    _forbid_unless_editor(request)
    user = staff_user(request)
    article = _article_or_404(request, article_id) if article_id is not None else None
    if request.method == "POST":
        form = ArticleForm(request.POST)
        if form.is_valid():
            try:
                saved, outcome = services.article_save(
                    data=form.article_data(),
                    actor=user,
                    note=form.cleaned_data.get("note", ""),
                    article_id=article.pk if article else None,
                )
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                if outcome == "unchanged":
                    messages.info(request, _("Nothing changed."))
                else:
                    messages.success(request, _("Saved as version %(n)s.") % {"n": saved.version})
                return redirect("knowledge:article", article_id=saved.pk)
    else:
        form = ArticleForm(initial=ArticleForm.initial_for(article) if article else None)
    return render(request, "knowledge/edit.html", {"form": form, "article": article})


@login_required
def import_upload(request: HttpRequest) -> HttpResponse:
    _forbid_unless_editor(request)
    report = None
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            report = services.articles_import_upload(
                name=upload.name,
                content=upload.read(services.MAX_UPLOAD_BYTES + 1),
                actor=staff_user(request),
            )
        except DomainError as exc:
            add_domain_error(form, exc)
    return render(request, "knowledge/import.html", {"form": form, "report": report})


@login_required
@require_GET
def phrases(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "knowledge/phrases.html",
        {
            "groups": selectors.phrases_for(values={"工号": staff_user(request).agent_no}),
            "agent_no": staff_user(request).agent_no,
        },
    )


@login_required
@require_POST
def phrase_check(request: HttpRequest) -> HttpResponse:
    text = request.POST.get("text", "")
    findings = services.phrase_check(text=text)
    return render(
        request, "knowledge/_findings.html", {"findings": findings, "checked": bool(text.strip())}
    )


@login_required
@require_GET
def suggest(request: HttpRequest) -> HttpResponse:
    """htmx fragment: articles for the caller's problem as the agent types it. The text
    comes in `q` (or, so a form's own field can be sent as it is, `description`, `title`
    or `text`)."""
    q = next(
        (request.GET[k] for k in ("q", "description", "title", "text") if request.GET.get(k)), ""
    ).strip()[:200]
    hits = selectors.article_suggestions(user=staff_user(request), text=q) if q else []
    return render(request, "knowledge/_suggest.html", {"hits": hits, "q": q})


@login_required
@require_GET
def panel(request: HttpRequest) -> HttpResponse:
    """Home-page panel: what changed in the knowledge base this week."""
    changes = selectors.changes_this_week(user=staff_user(request))
    return render(request, "knowledge/_panel.html", {"changes": changes})
