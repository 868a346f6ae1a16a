"""API shapes of the knowledge base (shared by the staff and the public routers)."""

from __future__ import annotations

from ninja import Schema


class Ref(Schema):
    id: int
    title: str


class HitOut(Schema):
    id: int
    title: str
    category: str
    visibility: str
    status: str
    effective_from: str
    effective_to: str | None
    successor: Ref | None
    views: int
    score: float
    snippet: str


class ArticleOut(Schema):
    id: int
    title: str
    category: str
    visibility: str
    status: str
    effective_from: str
    effective_to: str | None
    successor: Ref | None
    tags: list[str]
    services: list[str]
    body_markdown: str
    body_html: str
    version: int


class PhraseOut(Schema):
    key: str
    category: str
    caller_type: str
    text: str


class CheckIn(Schema):
    text: str


class FindingOut(Schema):
    text: str
    kind: str
    kind_label: str
    reason: str
    start: int
    end: int
    suggestion: str = ""


class CheckOut(Schema):
    ok: bool
    findings: list[FindingOut]
