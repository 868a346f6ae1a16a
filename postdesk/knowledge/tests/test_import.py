"""`postdesk import_articles`: re-runs make versions, broken files are reported by name."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command

from postdesk.knowledge.markdown_io import FrontMatterError, parse_article
from postdesk.knowledge.models import Article, ArticleVersion
from postdesk.knowledge.services import articles_import, articles_import_upload

# prepared: the index writes (executemany) of an upload through the web
pytestmark = [pytest.mark.prepared, pytest.mark.django_db]

GOOD = """---
title: 测试文章：保价规定
category: 规章/保价
visibility: public
effective_from: 2026-01-01
tags: [保价, 2026, 3.5]
services: [EMS]
---
保价邮件按声明价值赔偿。
"""


def _run(tmp_path, *args):
    from io import StringIO

    out = StringIO()
    call_command("import_articles", str(tmp_path), "--json", *args, stdout=out)
    return json.loads(out.getvalue())


def test_reimport_same_title_is_a_new_version_not_a_duplicate(tmp_path, db):
    (tmp_path / "a.md").write_text(GOOD, encoding="utf-8")
    assert _run(tmp_path)["created"] == ["测试文章：保价规定"]
    assert _run(tmp_path)["unchanged"] == ["测试文章：保价规定"]
    (tmp_path / "a.md").write_text(GOOD.replace("声明价值", "保价金额"), encoding="utf-8")
    assert _run(tmp_path)["updated"] == ["测试文章：保价规定"]
    article = Article.objects.get()
    assert article.version == 2 and article.versions.count() == 2
    assert article.versions.first().changed_fields == ["body"]
    # numbers in tags become text; the category path makes a sub-category
    assert sorted(t.name for t in article.tags.all()) == ["2026", "3.5", "保价"]
    assert article.category.path == "规章/保价" and article.category.parent.path == "规章"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("title: 无前置块\n正文", "does not start"),
        ("---\ntitle: 未闭合\n正文", "not closed"),
        ("---\ntitle: [坏的\n---\n正文", "not valid YAML"),
        ("---\ncategory: 规章\nvisibility: public\neffective_from: 2026-01-01\n---\nx", "'title'"),
        (
            "---\ntitle: t\ncategory: 规章\nvisibility: secret\neffective_from: 2026-01-01\n---\n",
            "'visibility'",
        ),
        (
            "---\ntitle: t\ncategory: 规章\nvisibility: public\neffective_from: 明天\n---\n",
            "not a date",
        ),
        (
            "---\ntitle: t\ncategory: 规章\nvisibility: public\neffective_from: 2026-02-01\n"
            "effective_to: 2026-01-01\n---\n",
            "before",
        ),
        ("---\ntitle: t\nvisibility: public\neffective_from: 2026-01-01\n---\n", "'category'"),
        (
            "---\ntitle: t\ncategory: 规章\nvisibility: public\neffective_from: 2026-01-01\n"
            "tags: {a: 1}\n---\n",
            "'tags'",
        ),
    ],
)
def test_broken_front_matter_reasons(text, reason):
    with pytest.raises(FrontMatterError, match=reason):
        parse_article(text)


def test_broken_files_are_reported_and_the_rest_imported(tmp_path, db):
    (tmp_path / "good.md").write_text(GOOD, encoding="utf-8")
    (tmp_path / "bad.md").write_text("---\ntitle: 缺字段\n---\n正文", encoding="utf-8")
    (tmp_path / "latin1.md").write_bytes("---\ntitle: é\n---\n".encode("latin-1"))
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "unit.md").write_text(
        GOOD.replace("测试文章：保价规定", "另一篇").replace("tags:", "owner_unit: NOPE\ntags:"),
        encoding="utf-8",
    )
    report = _run(tmp_path)
    assert report["created"] == ["测试文章：保价规定"]
    rejected = {r["file"]: r["reason"] for r in report["rejected"]}
    assert set(rejected) == {"bad.md", "latin1.md", "sub/unit.md"}
    assert "category" in rejected["bad.md"]
    assert "UTF-8" in rejected["latin1.md"]
    assert "NOPE" in rejected["sub/unit.md"]
    assert Article.objects.count() == 1  # nothing half-written for the rejected ones


def test_duplicate_titles_in_one_import_and_upload_forms(db):
    report = articles_import(files=[("a.md", GOOD), ("b.md", GOOD)])
    assert report.created == ["测试文章：保价规定"] and report.rejected[0][0] == "b.md"
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("x/one.md", GOOD.replace("测试文章：保价规定", "压缩包里的文章"))
        archive.writestr("readme.txt", "ignored")
    report = articles_import_upload(name="kb.zip", content=buffer.getvalue())
    assert report.created == ["压缩包里的文章"]
    from postdesk.core.errors import UnsupportedMedia

    with pytest.raises(UnsupportedMedia):
        articles_import_upload(name="kb.pdf", content=b"%PDF")
    with pytest.raises(UnsupportedMedia):
        articles_import_upload(name="kb.zip", content=b"not a zip")


def test_successor_link_is_resolved_whatever_the_order(db):
    old = GOOD.replace("测试文章：保价规定", "旧规定").replace(
        "effective_from: 2026-01-01",
        "effective_from: 2020-01-01\neffective_to: 2020-12-31\nsuccessor: 新规定",
    )
    new = GOOD.replace("测试文章：保价规定", "新规定")
    articles_import(files=[("old.md", old)])
    assert Article.objects.get(title="旧规定").successor is None
    articles_import(files=[("new.md", new)])
    assert Article.objects.get(title="旧规定").successor.title == "新规定"


def test_upload_page_reports_rejects(client_for, db, org):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = client_for("lead1")
    bad = SimpleUploadedFile("bad.md", b"no front matter", content_type="text/markdown")
    page = client.post("/kb/import/", {"file": bad})
    assert page.status_code == 200
    assert "bad.md" in page.content.decode() and ArticleVersion.objects.count() == 0
    good = SimpleUploadedFile("good.md", GOOD.encode(), content_type="text/markdown")
    page = client.post("/kb/import/", {"file": good})
    assert Article.objects.filter(title="测试文章：保价规定").exists()
    assert client_for("agent1").get("/kb/import/").status_code == 404


def test_demo_content_imports_cleanly_and_idempotently(db):
    from postdesk.knowledge.services import CONTENT_DIR, articles_import_path

    first = articles_import_path(path=CONTENT_DIR / "articles")
    assert len(first.created) == 65 and not first.rejected
    second = articles_import_path(path=CONTENT_DIR / "articles")
    assert len(second.unchanged) == 65 and not second.created and not second.updated
    assert ArticleVersion.objects.count() == 65


def test_public_export_holds_no_internal_article(kb, tmp_path):
    from io import StringIO

    from postdesk.knowledge.markdown_io import parse_article

    call_command("export_articles", str(tmp_path), "--public", stdout=StringIO())
    exported = [parse_article(p.read_text("utf-8")) for p in tmp_path.glob("*.md")]
    assert exported and all(a.visibility == "public" for a in exported)
    internal = set(Article.objects.filter(visibility="internal").values_list("title", flat=True))
    assert internal and not internal & {a.title for a in exported}
    # and a full export imports back unchanged
    call_command("export_articles", str(tmp_path / "all"), stdout=StringIO())
    assert _run(tmp_path / "all")["unchanged"] and not _run(tmp_path / "all")["updated"]
