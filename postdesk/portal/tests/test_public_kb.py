"""Internal articles never reach the public: every public route is checked with the
demo knowledge base (which has internal, superseded and coming articles)."""

from __future__ import annotations

import pytest
from django.test import Client

from postdesk.knowledge.models import Article, Visibility

pytestmark = pytest.mark.django_db

INTERNAL = "升级处理与内部联络规则（内部）"
SUPERSEDED = "EMS国内特快专递资费标准（2025年）"


@pytest.fixture
def kb(db):
    from postdesk.knowledge import demo

    demo.seed()
    return {a.title: a for a in Article.objects.all()}


@pytest.fixture
def anon():
    return Client()


def _internal_titles():
    return list(
        Article.objects.filter(visibility=Visibility.INTERNAL).values_list("title", flat=True)
    )


QUERIES = ["主任的手机号", "判责", "投诉", "邮件", "赔偿", "交接班", "内部", "资费", "有责"]


def test_public_api_search_never_returns_internal_or_retired(kb, anon):
    internal = set(_internal_titles())
    assert INTERNAL in internal
    for q in QUERIES:
        response = anon.get("/api/v1/public/kb/search", {"q": q, "limit": 50})
        assert response.status_code == 200
        rows = response.json()
        assert all(r["visibility"] == "public" and r["status"] == "current" for r in rows), q
        assert not internal & {r["title"] for r in rows}, q
        assert SUPERSEDED not in {r["title"] for r in rows}
    # public questions still get their answers
    rows = anon.get("/api/v1/public/kb/search", {"q": "邮件丢失怎么赔偿"}).json()
    assert rows[0]["title"] == "邮件丢失、损毁和延误的赔偿规定"


def test_public_api_article_is_404_for_internal_coming_and_retired(kb, anon):
    for title in [INTERNAL, SUPERSEDED, "EMS国内特快专递资费标准（2027年）"]:
        response = anon.get(f"/api/v1/public/kb/articles/{kb[title].pk}")
        assert response.status_code == 404, title
        assert response.json()["code"] == "not_found"
    ok = anon.get(f"/api/v1/public/kb/articles/{kb['邮件丢失、损毁和延误的赔偿规定'].pk}")
    assert ok.status_code == 200 and ok.json()["visibility"] == "public"


def test_public_pages_hide_internal_articles(kb, anon):
    internal = _internal_titles()
    for q in QUERIES:
        html = anon.get("/public/kb/", {"q": q}).content.decode()
        assert not [t for t in internal if t in html], q
    for title in [INTERNAL, SUPERSEDED]:
        assert anon.get(f"/public/kb/{kb[title].pk}/").status_code == 404
    page = anon.get(f"/public/kb/{kb['禁寄物品目录'].pk}/")
    assert page.status_code == 200 and "禁寄物品目录" in page.content.decode()


def test_public_article_hides_agent_notes(kb, anon):
    article = kb["常见问题：显示妥投但没收到邮件"]
    assert "## 话务要点" in article.body
    html = anon.get(f"/public/kb/{article.pk}/").content.decode()
    assert "话务要点" not in html and "先致歉安抚" not in html
    body = anon.get(f"/api/v1/public/kb/articles/{article.pk}").json()
    assert "话务要点" not in body["body_markdown"] and "话务要点" not in body["body_html"]


def test_public_successor_link_never_points_to_an_internal_article(kb, anon):
    from postdesk.knowledge.api import article_out

    public = kb["邮件丢失、损毁和延误的赔偿规定"]
    public.successor = kb[INTERNAL]
    assert article_out(public, public=True)["successor"] is None
    assert article_out(public, public=False)["successor"]["title"] == INTERNAL


def test_staff_routes_are_not_public(kb, anon):
    article = kb[INTERNAL]
    for url in [
        "/kb/",
        f"/kb/a/{article.pk}/",
        f"/kb/a/{article.pk}/export.md",
        "/kb/suggest?q=主任",
        "/kb/export.zip",
        "/kb/phrases/",
    ]:
        response = anon.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"], url
    for url in [
        "/api/v1/kb/search?q=主任",
        f"/api/v1/kb/articles/{article.pk}",
        "/api/v1/kb/suggest?q=主任",
        "/api/v1/kb/phrases",
    ]:
        assert anon.get(url).status_code == 401, url
