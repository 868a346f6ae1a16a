"""Articles as Markdown files with a YAML front-matter block (pure: no database).

```
---
title: 邮件丢失、损毁和延误的赔偿规定
category: 规章                 # a path such as 业务/特快专递 makes sub-categories
visibility: public            # or internal
effective_from: 2026-01-01
effective_to: 2026-12-31      # optional
tags: [赔偿, 丢失]             # optional; numbers become text
services: [EMS]               # optional
successor: 另一篇文章的标题     # optional
owner_unit: WZ-11185          # optional unit code
review_date: 2026-06-30       # optional
---
body in Markdown
```
`parse_article` turns one file into an `ArticleData` or raises `FrontMatterError` with a
reason a person can act on; `render_article` writes the same format back.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

import markdown
import nh3
import yaml

VISIBILITIES = ("internal", "public")
KNOWN_KEYS = {
    "title", "category", "visibility", "effective_from", "effective_to", "tags", "services",
    "successor", "owner_unit", "review_date",
}  # fmt: skip
MAX_TITLE = 200


class FrontMatterError(ValueError):
    """The file's front-matter is missing or wrong; the message says why."""


@dataclass(frozen=True)
class ArticleData:
    title: str
    category: str
    visibility: str
    effective_from: dt.date
    body: str
    effective_to: dt.date | None = None
    tags: tuple[str, ...] = ()
    services: tuple[str, ...] = ()
    successor: str = ""
    owner_unit: str = ""
    review_date: dt.date | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def _date(meta: dict[str, Any], key: str, *, required: bool = False) -> dt.date | None:
    value = meta.get(key)
    if value is None or value == "":
        if required:
            raise FrontMatterError(f"'{key}' is missing")
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise FrontMatterError(f"'{key}' is not a date (YYYY-MM-DD): {value!r}") from None


def _texts(meta: dict[str, Any], key: str) -> tuple[str, ...]:
    value = meta.get(key)
    if value is None:
        return ()
    if isinstance(value, str | int | float):
        value = [value]
    if not isinstance(value, list):
        raise FrontMatterError(f"'{key}' must be a list such as [a, b]")
    out: dict[str, None] = {}
    for item in value:
        if isinstance(item, dict | list) or item is None:
            raise FrontMatterError(f"'{key}' must hold plain words, not {item!r}")
        text = str(item).strip()
        if text:
            if len(text) > 50:
                raise FrontMatterError(f"'{key}': {text[:20]}… is longer than 50 characters")
            out.setdefault(text, None)
    return tuple(out)


def split_front_matter(text: str) -> tuple[str, str]:
    text = text.lstrip("\ufeff")
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        raise FrontMatterError("the file does not start with a '---' front-matter block")
    for index in range(1, len(lines)):
        if lines[index].strip() == "---":
            return "\n".join(lines[1:index]), "\n".join(lines[index + 1 :]).strip() + "\n"
    raise FrontMatterError("the front-matter block is not closed by a '---' line")


def parse_article(text: str) -> ArticleData:
    head, body = split_front_matter(text)
    try:
        meta = yaml.safe_load(head)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 2})" if mark is not None else ""
        raise FrontMatterError(f"the front-matter is not valid YAML{where}") from None
    if not isinstance(meta, dict):
        raise FrontMatterError("the front-matter must be 'key: value' lines")
    title = str(meta.get("title") or "").strip()
    if not title:
        raise FrontMatterError("'title' is missing")
    if len(title) > MAX_TITLE:
        raise FrontMatterError(f"'title' is longer than {MAX_TITLE} characters")
    category = "/".join(p.strip() for p in str(meta.get("category") or "").split("/") if p.strip())
    if not category:
        raise FrontMatterError("'category' is missing")
    visibility = str(meta.get("visibility") or "").strip().lower()
    if visibility not in VISIBILITIES:
        raise FrontMatterError("'visibility' must be 'public' or 'internal'")
    effective_from = _date(meta, "effective_from", required=True)
    assert effective_from is not None
    effective_to = _date(meta, "effective_to")
    if effective_to is not None and effective_to < effective_from:
        raise FrontMatterError("'effective_to' is before 'effective_from'")
    successor = str(meta.get("successor") or "").strip()
    if successor == title:
        raise FrontMatterError("an article cannot be its own successor")
    return ArticleData(
        title=title,
        category=category,
        visibility=visibility,
        effective_from=effective_from,
        effective_to=effective_to,
        tags=_texts(meta, "tags"),
        services=_texts(meta, "services"),
        successor=successor,
        owner_unit=str(meta.get("owner_unit") or "").strip(),
        review_date=_date(meta, "review_date"),
        body=body,
        extra={k: v for k, v in meta.items() if k not in KNOWN_KEYS},
    )


def _yaml_list(items: tuple[str, ...] | list[str]) -> str:
    return (
        "["
        + ", ".join(
            yaml.safe_dump(i, allow_unicode=True).strip().removesuffix("\n...").strip()
            for i in items
        )
        + "]"
    )


def render_article(data: ArticleData) -> str:
    """The Markdown file for an article: front-matter, then the body."""
    lines = [
        "---",
        f"title: {_scalar(data.title)}",
        f"category: {_scalar(data.category)}",
        f"visibility: {data.visibility}",
        f"effective_from: {data.effective_from.isoformat()}",
    ]
    if data.effective_to:
        lines.append(f"effective_to: {data.effective_to.isoformat()}")
    if data.tags:
        lines.append(f"tags: {_yaml_list(data.tags)}")
    if data.services:
        lines.append(f"services: {_yaml_list(data.services)}")
    if data.successor:
        lines.append(f"successor: {_scalar(data.successor)}")
    if data.owner_unit:
        lines.append(f"owner_unit: {_scalar(data.owner_unit)}")
    if data.review_date:
        lines.append(f"review_date: {data.review_date.isoformat()}")
    lines.append("---")
    return "\n".join(lines) + "\n" + data.body.strip() + "\n"


def _scalar(value: str) -> str:
    dumped = yaml.safe_dump(value, allow_unicode=True, width=1000).strip()
    return dumped.removesuffix("\n...").strip()


ALLOWED_TAGS = {
    "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "em", "b", "i", "u", "s",
    "code", "pre", "blockquote", "ul", "ol", "li", "table", "thead", "tbody", "tr", "th", "td",
    "a", "sup", "sub", "del", "ins", "mark",
}  # fmt: skip


def render_html(body: str) -> str:
    """Markdown to HTML, sanitised: no scripts, styles, event handlers or raw HTML tricks."""
    html = markdown.markdown(body or "", extensions=["tables", "sane_lists"], output_format="html")
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes={"a": {"href", "title"}, "th": {"align"}, "td": {"align"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )


AGENT_NOTES_HEADINGS = ("话务要点",)
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*$")


def strip_agent_notes(body: str) -> str:
    """The body without its agent-only sections ("## 话务要点" up to the next heading of
    the same or a higher level): what the public may read of a public article."""
    out: list[str] = []
    skipping_level = 0
    for line in (body or "").splitlines():
        heading = _HEADING.match(line)
        if heading:
            level = len(heading.group(1))
            if skipping_level and level <= skipping_level:
                skipping_level = 0
            if not skipping_level and heading.group(2) in AGENT_NOTES_HEADINGS:
                skipping_level = level
                continue
        if not skipping_level:
            out.append(line)
    return "\n".join(out).strip() + "\n"
