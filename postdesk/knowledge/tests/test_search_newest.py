"""Newest-first matching (`search.newest_matching`, `search.matching_among`): whichever way
the engine takes — the walk along the newest documents, or the full-text index — the
answer is the same: the newest matches, and whether they are all."""

from __future__ import annotations

import pytest
from django.db import connection

from postdesk.knowledge import search
from postdesk.knowledge.models import SearchDocument
from postdesk.knowledge.search import newest

# prepared: newest-first matching through Django's cursor, both of its ways
pytestmark = [pytest.mark.prepared, pytest.mark.django_db]

KIND = "testdoc"
OTHER = "otherdoc"
pg_only = pytest.mark.postgresql


def _index(total: int = 60) -> dict[str, set[int]]:
    """Documents 1..total: every third is about a pickup (上门揽收), every fifth about
    a damaged parcel (包裹破损), the rest about tariffs; another kind says the same."""
    truth: dict[str, set[int]] = {"上门揽收": set(), "包裹破损": set(), "资费": set()}
    for i in range(1, total + 1):
        if i % 3 == 0:
            title, key = "预约上门揽收", "上门揽收"
        elif i % 5 == 0:
            title, key = "包裹破损投诉", "包裹破损"
        else:
            title, key = "资费查询", "资费"
        truth[key].add(i)
        search.index_document(kind=KIND, object_id=i, title=title, body="客户来电", exact=[])
        search.index_document(kind=OTHER, object_id=i, title=title, body="客户来电")
    search.index_document(
        kind=KIND, object_id=total + 1, title="其他", body="", exact=["EA123456789CN"]
    )
    return truth


def _newest(query: str, limit: int) -> search.Newest:
    return search.newest_matching(kind=KIND, query=search.parse_query(query), limit=limit)


@pytest.fixture(params=["index", "walk", "short walk"])
def way(request, monkeypatch):
    """Each way, by its thresholds (the estimate itself is computed, never replaced):
    the index as chosen for this small corpus (every estimate under WALK_FROM); the walk
    from any estimate, reading every document; the walk reading the four newest only,
    so that the index must finish whenever those hold no more than the limit."""
    newest.stats_clear()
    if request.param != "index":
        monkeypatch.setattr(newest, "WALK_FROM", 0)
    if request.param == "short walk":
        monkeypatch.setattr(newest, "WALK_ROWS", 4)
    yield request.param
    newest.stats_clear()


def _expected_way(way: str, expected: list[int], limit: int) -> str:
    """The way `newest_matching` must report (documents of KIND are 1..61)."""
    if connection.vendor != "postgresql":
        return newest.FTS
    if way == "index":
        return newest.INDEX
    walked = [i for i in expected if i > 61 - newest.WALK_ROWS]
    return newest.WALK if len(walked) > limit else newest.WALK_THEN_INDEX


@pytest.mark.parametrize("word", ["上门揽收", "包裹破损", "资费", "揽收", "包裹 资费"])
@pytest.mark.parametrize("limit", [1, 5, 100])
def test_the_newest_matches_whichever_way(way, word, limit):
    truth = _index()
    expected = sorted(set.intersection(*(truth.get(w, set()) for w in word.split())), reverse=True)
    if word == "揽收":
        expected = sorted(truth["上门揽收"], reverse=True)
    found = _newest(word, limit)
    assert found.ids == expected[:limit]
    assert found.complete == (len(expected) <= limit)
    assert found.way == _expected_way(way, expected, limit)


def test_identifiers_and_words_together_and_nothing_to_find(way):
    _index()
    found = _newest("EA123456789CN", 10)
    assert found.ids == [61] and found.complete
    nothing = _newest("集邮年册", 10)
    assert (nothing.ids, nothing.complete) == ([], True)
    # the other kind's documents (the same texts) never answer
    for object_id in SearchDocument.objects.filter(kind=KIND).values_list("object_id", flat=True):
        search.remove_document(kind=KIND, object_id=object_id)
    assert SearchDocument.objects.filter(kind=OTHER).exists()
    gone = _newest("资费", 10)
    assert (gone.ids, gone.complete) == ([], True)


@pg_only
def test_the_way_is_chosen_by_how_common_the_words_are(monkeypatch):
    """From PostgreSQL's own statistics: a common word walks the newest documents, a
    rare one asks the index, two common words that seldom meet walk and then ask the
    index. The corpus is small, so the threshold sits between its rare and common
    words (at a million documents it is WALK_FROM's 5,000): a model that misjudged a
    word's frequency (the planner's product of its pieces, say) fails here."""
    truth = _index(300)  # 上门揽收 in 100 documents, 包裹破损 in 40, 资费 in 160
    for i in range(301, 311):
        search.index_document(kind=KIND, object_id=i, title="集邮年册", body="", exact=[])
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE knowledge_searchdocument")
    newest.stats_clear()
    monkeypatch.setattr(newest, "WALK_FROM", 30)
    common = _newest("上门揽收", 10)
    assert common.way == newest.WALK
    assert common.ids == sorted(truth["上门揽收"], reverse=True)[:10]
    rare = _newest("集邮年册", 10)
    assert rare.way == newest.INDEX and rare.ids == list(range(310, 300, -1))
    seldom = _newest("资费 上门揽收", 10)  # both common, never in one document
    assert seldom.way == newest.WALK_THEN_INDEX and seldom.ids == [] and seldom.complete
    newest.stats_clear()


@pg_only
def test_the_estimate_follows_the_rarest_piece_not_their_product():
    truth = _index(300)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE knowledge_searchdocument")
    newest.stats_clear()
    common = newest.estimated_matches(kind=KIND, query=search.parse_query("上门揽收"))
    rare = newest.estimated_matches(kind=KIND, query=search.parse_query("集邮年册"))
    # 上门揽收 is 上门 & 门揽 & 揽收, always together: about as common as one of them
    assert common >= len(truth["上门揽收"]) * 0.8
    assert rare < common / 10


def test_testing_given_ids_agrees_with_the_queryset_filter():
    _index()
    base = SearchDocument.objects.filter(kind=KIND)
    some = [3, 5, 6, 10, 15, 30, 31, 61, 999]
    for word in ("上门揽收", "包裹破损", "EA123456789CN", "资费 包裹", "资费"):
        query = search.parse_query(word)
        among = search.matching_among(kind=KIND, query=query, ids=some)
        by_set = search.filter_matching(base, kind=KIND, query=word, field="object_id")
        assert among == set(by_set.values_list("object_id", flat=True)) & set(some), word
    assert search.matching_among(kind=KIND, query=search.parse_query("资费"), ids=[]) == set()
    assert (
        search.matching_among(kind=OTHER, query=search.parse_query("上门揽收"), ids=[61]) == set()
    )
