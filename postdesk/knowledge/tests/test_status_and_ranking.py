"""Superseded, discontinued and coming articles, and the ranking order."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from postdesk.knowledge.markdown_io import ArticleData
from postdesk.knowledge.selectors import articles_search, status_of
from postdesk.knowledge.services import article_save
from postdesk.knowledge.status import article_status

# prepared: ranking queries of the search engine
pytestmark = [pytest.mark.prepared, pytest.mark.django_db]
TODAY = dt.date(2026, 6, 1)


def test_status_by_dates_only():
    def status(start, end, successor=False):
        return article_status(
            effective_from=start, effective_to=end, has_successor=successor, today=TODAY
        )

    assert status(dt.date(2026, 1, 1), None) == "current"
    assert status(dt.date(2026, 1, 1), dt.date(2026, 12, 31), successor=True) == "current"
    assert status(dt.date(2026, 1, 1), TODAY, successor=True) == "current"  # last day counts
    assert status(dt.date(2025, 1, 1), dt.date(2025, 12, 31), successor=True) == "superseded"
    assert status(dt.date(2025, 1, 1), dt.date(2025, 12, 31)) == "discontinued"
    assert status(dt.date(2026, 6, 2), None) == "coming"


def _save(title, start, end=None, successor="", visibility="public", body="资费标准说明"):
    article, _ = article_save(
        data=ArticleData(
            title=title,
            category="资费",
            visibility=visibility,
            effective_from=start,
            effective_to=end,
            successor=successor,
            body=body,
            tags=("资费",),
        )
    )
    return article


@pytest.fixture
def tariffs(db):
    today = timezone.localdate()
    year = dt.timedelta(days=365)
    old = _save(
        "测试快递资费（旧）", today - 2 * year, today - year, successor="测试快递资费（现行）"
    )
    cur = _save("测试快递资费（现行）", today - year, today + year, successor="测试快递资费（新）")
    new = _save("测试快递资费（新）", today + year + dt.timedelta(days=1))
    stop = _save("测试快递资费（停办）", today - 2 * year, today - year)
    return {"old": old, "cur": cur, "new": new, "stop": stop}


def test_current_before_coming_before_superseded(tariffs):
    staff = _staff()
    titles = [h.article.title for h in articles_search(user=staff, query="快递资费")]
    assert titles[0] == "测试快递资费（现行）"
    assert titles[1] == "测试快递资费（新）"
    assert set(titles[2:]) == {"测试快递资费（旧）", "测试快递资费（停办）"}
    statuses = {h.article.title: h.status for h in articles_search(user=staff, query="快递资费")}
    assert statuses == {
        "测试快递资费（现行）": "current",
        "测试快递资费（新）": "coming",
        "测试快递资费（旧）": "superseded",
        "测试快递资费（停办）": "discontinued",
    }
    # a current article naming its successor is still current
    tariffs["cur"].refresh_from_db()
    assert status_of(tariffs["cur"]) == "current" and tariffs["cur"].successor is not None


def test_title_matches_rank_above_body_matches_and_views_break_ties(db):
    body_only = _save("寄递须知", dt.date(2020, 1, 1), body="赔偿 赔偿 赔偿 赔偿")
    in_title = _save("赔偿说明", dt.date(2020, 1, 1), body="见正文")
    assert [h.article.pk for h in articles_search(user=_staff(), query="赔偿")] == [
        in_title.pk,
        body_only.pk,
    ]
    a = _save("保价说明甲", dt.date(2020, 1, 1), body="保价")
    b = _save("保价说明乙", dt.date(2020, 1, 1), body="保价")
    type(b).objects.filter(pk=b.pk).update(view_count=50)
    ids = [h.article.pk for h in articles_search(user=_staff(), query="保价说明")]
    assert ids.index(b.pk) < ids.index(a.pk)


def test_superseded_page_links_to_successor(tariffs, client_for):
    html = client_for("agent1").get(f"/kb/a/{tariffs['old'].pk}/").content.decode()
    assert 'data-status="superseded"' in html
    assert f'href="/kb/a/{tariffs["cur"].pk}/"' in html and 'data-testid="successor-link"' in html
    coming = client_for("agent1").get(f"/kb/a/{tariffs['new'].pk}/").content.decode()
    assert 'data-status="coming"' in coming


def test_search_articles_command_json_and_public_flag(tariffs):
    _save("内部测试快递资费口径", dt.date(2020, 1, 1), visibility="internal")
    out = StringIO()
    call_command("search_articles", "快递资费", "--json", "--limit", "10", stdout=out)
    rows = json.loads(out.getvalue())
    assert {"title", "visibility", "score"} <= set(rows[0])
    titles = [r["title"] for r in rows]
    assert set(titles[:2]) == {"测试快递资费（现行）", "内部测试快递资费口径"}
    assert titles.index("测试快递资费（旧）") > titles.index("测试快递资费（现行）")
    assert any(r["visibility"] == "internal" for r in rows)
    out = StringIO()
    call_command("search_articles", "快递资费", "--public", "--json", stdout=out)
    public = json.loads(out.getvalue())
    assert [r["title"] for r in public] == ["测试快递资费（现行）"]


def test_compensation_question_finds_the_compensation_articles(kb):
    out = StringIO()
    call_command("search_articles", "邮件丢失怎么赔偿", "--json", "--limit", "3", stdout=out)
    titles = [r["title"] for r in json.loads(out.getvalue())]
    assert titles[0] == "邮件丢失、损毁和延误的赔偿规定"
    assert "邮件理赔申请流程" in titles


def _staff():
    from postdesk.org.models import User

    return User(username="reader", is_active=True)
