"""The search engine on its own: tokenisation, matching, ranking, identifiers, the
queryset filter, snippets. Runs on SQLite (FTS5) and PostgreSQL (tsvector + GIN)."""

from __future__ import annotations

from io import StringIO

import pytest

from postdesk.knowledge import search
from postdesk.knowledge.models import SearchDocument
from postdesk.knowledge.search.tokenize import index_tokens, parse_query

# prepared: the engine's own SQL (FTS statements, the RawSQL filter) as the web runs it
pytestmark = [pytest.mark.prepared, pytest.mark.django_db]

KIND = "testdoc"


def test_index_tokens_pieces_last_char_words_and_ascii():
    tokens = index_tokens("EMS邮件丢失怎么赔偿？电话11185")
    for piece in ["邮件", "件丢", "丢失", "失怎", "赔偿", "偿", "电话", "话", "ems", "11185"]:
        assert piece in tokens, piece
    # NFKC + lower case: full-width letters and digits become ASCII
    assert "ea123456789cn" in index_tokens("ＥＡ１２３４５６７８９ＣＮ")
    # a single character run is kept alone
    assert index_tokens("寄") == ["寄"]


def test_index_tokens_adds_jieba_words_of_three_or_more():
    assert "特快专递" in index_tokens("这是特快专递业务")


def test_parse_query_drops_question_words_and_splits_long_words():
    q = parse_query("邮件丢失怎么赔偿")
    assert [t.text for t in q.terms] == ["邮件", "丢失", "赔偿"]
    q = parse_query("上面写已经签收了，可是我根本没收到啊")
    texts = [t.text for t in q.terms]
    assert "签收" in texts and "没收到" in texts and "啊" not in texts
    (long,) = [t for t in q.terms if t.text == "没收到"]
    assert long.tokens == ("没收", "收到")
    single = parse_query("赔").terms[0]
    assert single.prefix and single.tokens == ("赔",)
    # nothing but question words: they are searched anyway
    assert [t.text for t in parse_query("怎么").terms] == ["怎么"]


def test_parse_query_finds_identifiers():
    q = parse_query("查一下EA123456789CN和138-1234-5678")
    assert "EA123456789CN" in q.identifiers
    assert "13812345678" in q.identifiers


def _docs():
    search.index_document(
        kind=KIND,
        object_id=1,
        title="邮件丢失、损毁和延误的赔偿规定",
        body="保价邮件丢失按保价金额赔偿。",
    )
    search.index_document(
        kind=KIND,
        object_id=2,
        title="邮件理赔申请流程",
        body="客户申请赔偿时需提供材料，邮件丢失的先查单。",
    )
    search.index_document(
        kind=KIND,
        object_id=3,
        title="上门揽收服务说明",
        body="预约上门取件，赔付另见规定。",
        exact=["EA123456789CN"],
    )
    search.index_document(
        kind=KIND,
        object_id=4,
        title="客户来电",
        body="联系电话",
        exact=["13812345678", "GD2026000001"],
    )


def test_ranking_title_first_then_body():
    _docs()
    ids = [i for i, _ in search.match_ids(kind=KIND, query="邮件丢失怎么赔偿")]
    assert ids[:2] == [1, 2]
    assert 4 not in ids


def test_substrings_single_and_two_character_queries():
    _docs()
    # a two-character substring inside a longer word
    assert [i for i, _ in search.match_ids(kind=KIND, query="损毁")] == [1]
    # one character: found whether it starts a piece or ends the run
    assert {i for i, _ in search.match_ids(kind=KIND, query="赔")} == {1, 2, 3}
    assert {i for i, _ in search.match_ids(kind=KIND, query="定")} == {1, 3}
    # a string that is not in any document finds nothing
    assert search.match_ids(kind=KIND, query="集邮年册") == []


def test_identifiers_match_exactly_and_first():
    _docs()
    hits = search.search(kind=KIND, query="ea123456789cn")
    assert hits[0].object_id == 3 and hits[0].exact
    assert next(h.object_id for h in search.search(kind=KIND, query="138 1234 5678")) == 4
    assert search.search(kind=KIND, query="EA123456780CN") == []


def test_filter_matching_keeps_caller_filters_and_requires_every_word():
    _docs()
    base = SearchDocument.objects.filter(kind=KIND)
    field = "object_id"
    got = search.filter_matching(base, kind=KIND, query="邮件 赔偿", field=field)
    assert sorted(got.values_list("object_id", flat=True)) == [1, 2]
    got = search.filter_matching(
        base.filter(object_id__gt=1), kind=KIND, query="邮件 赔偿", field=field
    )
    assert list(got.values_list("object_id", flat=True)) == [2]
    got = search.filter_matching(base, kind=KIND, query="GD2026000001", field=field)
    assert list(got.values_list("object_id", flat=True)) == [4]
    assert search.filter_matching(base, kind=KIND, query="  ", field=field).count() == 4
    assert search.filter_matching(base, kind=KIND, query="！？", field=field).count() == 0


def test_reindex_replaces_and_remove_document():
    _docs()
    search.index_document(kind=KIND, object_id=1, title="新标题", body="无关内容")
    assert 1 not in [i for i, _ in search.match_ids(kind=KIND, query="损毁")]
    search.remove_document(kind=KIND, object_id=2)
    assert 2 not in [i for i, _ in search.match_ids(kind=KIND, query="理赔")]
    assert search.indexed_count(kind=KIND) == 3
    # kinds do not mix
    assert search.match_ids(kind="other", query="揽收") == []
    n = search.reindex(kind=KIND, documents=[search.Document(9, "报刊订阅", "破订")])
    assert n == 1 and search.indexed_count(kind=KIND) == 1
    assert [i for i, _ in search.match_ids(kind=KIND, query="订阅")] == [9]


def test_rank_ids_scores_a_given_page():
    _docs()
    ranked = search.rank_ids(kind=KIND, query="赔偿", ids=[3, 2, 1])
    assert [i for i, _ in ranked][:2] == [1, 2]
    assert dict(ranked)[3] == 0.0


def test_highlight_marks_words_and_escapes():
    html = search.highlight(text="<b>保价</b>邮件丢失按保价金额赔偿。", query="丢失 赔偿")
    assert "<mark>丢失</mark>" in html and "<mark>赔偿</mark>" in html
    assert "&lt;b" in html and "<b" not in html
    long = "无关" * 200 + "这里讲赔偿" + "无关" * 200
    snippet = search.highlight(text=long, query="赔偿", length=40)
    assert "<mark>赔偿</mark>" in snippet and snippet.startswith("…")


def test_search_reindex_command_rebuilds_articles_with_workers(kb):
    from io import StringIO

    from django.core.management import call_command

    search.remove_document(kind="article", object_id=kb["禁寄物品目录"].pk)
    assert kb["禁寄物品目录"].pk not in [
        i for i, _ in search.match_ids(kind="article", query="禁寄物品")
    ]
    out = StringIO()
    call_command("search_reindex", "--kind", "article", "--workers", "2", stdout=out)
    assert out.getvalue().startswith("article: 65 documents")
    assert search.match_ids(kind="article", query="禁寄物品")[0][0] == kb["禁寄物品目录"].pk
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("search_reindex", "--kind", "nope")


def test_an_article_indexed_on_save_and_by_a_reindex_is_the_same_document(kb):
    """One builder of an article's search document (`article_document`): what a save
    indexed, a full reindex indexes again, word for word (every answer and score)."""
    from django.core.management import call_command

    from postdesk.knowledge.models import SearchDocument

    words = ["禁寄物品", "赔偿", "邮政编码", "国际", "集邮", "包裹 保价"]

    def answers():
        docs = dict(SearchDocument.objects.filter(kind="article").values_list("object_id", "title"))
        return docs, {w: search.match_ids(kind="article", query=w) for w in words}

    saved = answers()
    assert saved[0] and any(saved[1].values())
    call_command("search_reindex", "--kind", "article", stdout=StringIO())
    assert answers() == saved


@pytest.mark.postgresql  # SQLite has no plan cache to steer
@pytest.mark.django_db(transaction=True)
def test_a_bulk_batch_plans_each_statement_for_its_values_then_the_connection_resumes():
    from django.db import connection, transaction

    from postdesk.knowledge.search import backends

    def mode() -> str:
        with connection.cursor() as cursor:
            cursor.execute("SHOW plan_cache_mode")
            return str(cursor.fetchone()[0])

    before = mode()
    with transaction.atomic():
        backends.plan_each_statement()
        assert mode() == "force_custom_plan"
    assert mode() == before == "auto"


def test_one_document_written_twice_keeps_only_its_latest_identifiers():
    search.index_document(
        kind=KIND, object_id=5, title="查单", body="延误", exact=["EA100000001CN", "EA100000002CN"]
    )
    search.index_document(
        kind=KIND, object_id=5, title="查单", body="延误", exact=["EA100000003CN"]
    )
    assert search.match_ids(kind=KIND, query="EA100000001CN") == []
    assert [i for i, _ in search.match_ids(kind=KIND, query="EA100000003CN")] == [5]
    assert search.indexed_count(kind=KIND) == 1
