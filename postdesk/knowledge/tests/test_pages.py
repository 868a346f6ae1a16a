"""Staff pages and the staff API of the knowledge base."""

from __future__ import annotations

import pytest

# prepared: the search page and the staff API: the engine behind a request
pytestmark = [pytest.mark.prepared, pytest.mark.django_db]

COMPENSATION = "邮件丢失、损毁和延误的赔偿规定"


def test_search_page_ranks_compensation_first_with_highlight(kb, client_for):
    page = client_for("agent1").get("/kb/", {"q": "邮件丢失怎么赔偿"})
    assert page.status_code == 200
    html = page.content.decode()
    assert html.index(COMPENSATION) < html.index("邮件理赔申请流程")
    assert "<mark>" in html


def test_browse_filters_and_article_page_records_a_view(kb, client_for):
    client = client_for("agent1")
    html = client.get("/kb/", {"category": "资费"}).content.decode()
    assert "EMS国内特快专递资费标准（2026年）" in html and COMPENSATION not in html
    article = kb[COMPENSATION]
    assert client.get(f"/kb/a/{article.pk}/").status_code == 200
    article.refresh_from_db()
    assert article.view_count == 1


def test_api_search_filters(kb, api_for):
    api = api_for("agent1")
    rows = api.get("/api/v1/kb/search", {"q": "投诉", "visibility": "internal"}).json()
    assert rows and all(r["visibility"] == "internal" for r in rows)
    rows = api.get("/api/v1/kb/search", {"q": "投诉", "category": "规章", "current": "true"}).json()
    assert rows and all(r["category"].startswith("规章") and r["status"] == "current" for r in rows)


def test_api_requires_sign_in(kb, client):
    assert client.get("/api/v1/kb/search", {"q": "赔偿"}).status_code == 401


def test_suggest_fragment_and_json(kb, client_for, api_for):
    html = client_for("agent1").get("/kb/suggest", {"q": "客户说充电宝能不能寄"}).content.decode()
    assert "锂电池、充电宝及电子产品寄递规定" in html
    rows = api_for("agent1").get("/api/v1/kb/suggest", {"q": "充电宝"}).json()
    assert rows[0]["title"] == "锂电池、充电宝及电子产品寄递规定"
    assert client_for("agent1").get("/kb/suggest", {"q": ""}).status_code == 200
    html = client_for("agent1").get("/kb/suggest", {"description": "寄锂电池"}).content.decode()
    assert "锂电池、充电宝及电子产品寄递规定" in html


def test_phrase_check_api_and_fragment(kb, api_for, client_for):
    body = (
        api_for("agent1")
        .post(
            "/api/v1/kb/phrase-check",
            {"text": "这不归我们管，你自己去查"},
            content_type="application/json",
        )
        .json()
    )
    assert body["ok"] is False
    assert {f["text"] for f in body["findings"]} == {"不归我们管", "你自己去查"}
    assert all(f["reason"] for f in body["findings"])
    ok = (
        api_for("agent1")
        .post(
            "/api/v1/kb/phrase-check", {"text": "您好，请稍候。"}, content_type="application/json"
        )
        .json()
    )
    assert ok == {"ok": True, "findings": []}
    bad = api_for("agent1").post("/api/v1/kb/phrase-check", {}, content_type="application/json")
    assert (bad.status_code == 400 and bad.json()["fields"] == {"text": "该字段是必填项。"}) or (
        bad.status_code == 400 and "text" in bad.json()["fields"]
    )
    html = client_for("agent1").post("/kb/phrases/check/", {"text": "考核结果"}).content.decode()
    assert "考核" in html and "内部考核情况不得对外透露" in html


def test_phrases_page_lists_every_category(kb, client_for):
    html = client_for("agent1").get("/kb/phrases/").content.decode()
    for key in [
        "greeting.standard",
        "identity_check.sender",
        "hold.lookup",
        "transfer.team_lead",
        "apology.delay",
        "refusal.privacy",
        "closing.standard",
        "agitated.empathy",
        "confused.slow_step",
        "demanding.acknowledge",
    ]:
        assert f'data-phrase="{key}"' in html


def test_home_panel_shows_this_weeks_changes(kb, client_for):
    from dataclasses import replace

    from postdesk.knowledge.services import article_data, article_save

    article = kb[COMPENSATION]
    article_save(data=replace(article_data(article), body=article.body + "\n新增说明\n"))
    html = client_for("agent1").get("/kb/panel/").content.decode()
    assert COMPENSATION in html
    home = client_for("agent1").get("/").content.decode()
    assert "/kb/panel/" in home
    assert "/kb/panel/" not in client_for("branch1").get("/").content.decode()


def test_only_editors_edit_and_edit_makes_a_version(kb, client_for):
    article = kb[COMPENSATION]
    assert client_for("agent1").get(f"/kb/a/{article.pk}/edit/").status_code == 404
    client = client_for("lead1")
    form = client.get(f"/kb/a/{article.pk}/edit/").context["form"]
    data = {k: ("" if v is None else v) for k, v in form.initial.items()}
    data["body"] = data["body"] + "\n补充：新增一条说明。\n"
    data["note"] = "补充说明"
    response = client.post(f"/kb/a/{article.pk}/edit/", data)
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.version == 2
    version = article.versions.first()
    assert version.changed_fields == ["body"] and version.changed_by.username == "lead1"
    # bad input: end before start, nothing saved
    data["effective_to"] = "2020-01-01"
    response = client.post(f"/kb/a/{article.pk}/edit/", data)
    assert response.status_code == 200 and response.context["form"].errors
    article.refresh_from_db()
    assert article.version == 2


def test_export_markdown_round_trips(kb, client_for):
    from postdesk.knowledge.markdown_io import parse_article

    article = kb["EMS国内特快专递资费标准（2026年）"]
    text = client_for("agent1").get(f"/kb/a/{article.pk}/export.md").content.decode()
    data = parse_article(text)
    assert data.title == article.title and data.effective_to.isoformat() == "2026-12-31"
    assert data.successor == "EMS国内特快专递资费标准（2027年）"
    zipped = client_for("lead1").get("/kb/export.zip")
    assert zipped.status_code == 200 and zipped["Content-Type"] == "application/zip"
    assert client_for("agent1").get("/kb/export.zip").status_code == 404
