"""Chinese-aware tokenisation for the search engine (pure; no database).

Index side (`index_tokens`): the text is NFKC-normalised and lower-cased, then split
into runs of CJK characters and runs of ASCII letters/digits.
- every CJK run gives its overlapping two-character pieces ("邮件丢失" → 邮件 件丢 丢失)
  and its last character alone, so any substring of two or more characters is found as
  an AND of pieces, and a single character is found by a prefix match (`赔*` matches the
  pieces that start with 赔, or the run's last character);
- jieba dictionary words of three or more characters (with the postal word list; every
  word of jieba's word graph, i.e. its full mode) are added too;
- every ASCII run (EMS, 11185, ea123456789cn) is one token.

Query side (`parse_query`): the query is cut into words by jieba, question words
("怎么", "吗", "我的") are dropped unless nothing else is left, and each word becomes a
`Term`: one token, the AND of its two-character pieces, or a prefix. Identifiers in the
query (waybill numbers, phone numbers, long digit runs, work-order numbers) are also
returned for exact lookup.
"""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import jieba

WORDS_FILE = Path(__file__).resolve().parent.parent / "content" / "postal_words.txt"
MAX_TOKEN = 40

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_RUN = re.compile(rf"[{_CJK}]+|[a-z0-9]+")
_CJK_RUN = re.compile(rf"[{_CJK}]+")
_PHONE = re.compile(
    r"(?<![\d])(?:\+?86[\s-]?)?(?:1[3-9]\d[\s-]?\d{4}[\s-]?\d{4}|0\d{2,3}[\s-]?\d{7,8})(?!\d)"
)
_IDENT = re.compile(r"[a-z0-9][a-z0-9-]{4,39}")

# Words a caller says around the question that carry no subject of their own.
_STOP_TEXT = """
我 我的 我们 你 你们 您 他 她 它 他们 的 地 得 了 吗 呢 啊 吧 呀 哦
嘛 么 啦 哈 嗯 喂 是 是不是 有 有没有 在 就 都 还 也 又 和 与 跟 及
或 或者 给 把 被 让 对 从 向 往 到 上 下 里 这 那 这个 那个 这些 那些
这样 那样 个 一个 一下 一些 些 请 请问 麻烦 帮 帮我 怎么 怎么办 怎么样
怎样 如何 什么 为什么 为何 多少 几 哪 哪里 哪些 哪个 谁 能 能不能 能否
可以 可不可以 可否 会 会不会 要 要不要 需要 想 想要 应该 得 该 吧 呗 已经
还是 可是 但是 但 而且 然后 所以 因为 如果 就是 根本 好像 一直 现在 今天
刚才 您好 你好 谢谢 一 下 大概
"""
STOPWORDS = frozenset(_STOP_TEXT.split())


def normalize(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").lower()


_lock = threading.Lock()
_tokenizer: jieba.Tokenizer | None = None


def segmenter() -> jieba.Tokenizer:
    """The jieba tokenizer with the postal word list, built once per process."""
    global _tokenizer
    if _tokenizer is None:
        with _lock:
            if _tokenizer is None:
                jieba.setLogLevel(logging.WARNING)
                tokenizer = jieba.Tokenizer()
                tokenizer.initialize()
                if WORDS_FILE.exists():
                    tokenizer.load_userdict(str(WORDS_FILE))
                _tokenizer = tokenizer
    return _tokenizer


def cjk_pieces(run: str) -> list[str]:
    """Overlapping two-character pieces of a CJK run, plus its last character."""
    if len(run) == 1:
        return [run]
    return [run[i : i + 2] for i in range(len(run) - 1)] + [run[-1]]


def dictionary_words(run: str, *, min_length: int = 3) -> list[str]:
    """Every jieba dictionary word (and postal word) of `min_length`+ characters that
    occurs in the CJK run — jieba's full mode, read straight from its word graph."""
    dag = segmenter().get_DAG(run)
    return [
        run[start : end + 1]
        for start, ends in dag.items()
        for end in ends
        if end - start + 1 >= min_length
    ]


def index_tokens(text: str) -> list[str]:
    """The distinct tokens stored for `text`, in first-seen order."""
    norm = normalize(text)
    seen: dict[str, None] = {}
    for match in _RUN.finditer(norm):
        run = match.group()
        if run[0].isascii():
            if len(run) <= MAX_TOKEN:
                seen.setdefault(run, None)
            continue
        for piece in cjk_pieces(run):
            seen.setdefault(piece, None)
        if len(run) >= 3:
            for word in dictionary_words(run):
                seen.setdefault(word, None)
    return list(seen)


@dataclass(frozen=True)
class Term:
    """One word of a query. It matches a document when every token in `tokens` is
    present (or, with `prefix`, when some token starts with the only one)."""

    text: str
    tokens: tuple[str, ...]
    prefix: bool = False
    weight: float = 1.0


@dataclass(frozen=True)
class Query:
    text: str
    terms: tuple[Term, ...] = ()
    identifiers: tuple[str, ...] = field(default=())

    @property
    def empty(self) -> bool:
        return not self.terms and not self.identifiers


def _term_for(word: str) -> Term | None:
    if not word:
        return None
    if word[0].isascii():
        return Term(word, (word,), prefix=len(word) >= 2, weight=1.0 if len(word) > 1 else 0.3)
    if len(word) == 1:
        return Term(word, (word,), prefix=True, weight=0.5)
    if len(word) == 2:
        return Term(word, (word,), weight=1.0)
    return Term(word, _pieces(word), weight=1.0 + 0.25 * (len(word) - 2))


def _pieces(word: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(word[i : i + 2] for i in range(len(word) - 1)))


def normalize_identifier(value: str) -> str:
    """Identifiers are compared upper-case without spaces or dashes."""
    return re.sub(r"[\s\-]", "", unicodedata.normalize("NFKC", value or "")).upper()


def _identifiers(norm: str) -> list[str]:
    found: dict[str, None] = {}
    for match in _PHONE.finditer(norm):
        found.setdefault(normalize_identifier(match.group()), None)
    for match in _IDENT.finditer(norm):
        value = match.group()
        if any(ch.isdigit() for ch in value):
            found.setdefault(normalize_identifier(value), None)
    return list(found)


def parse_query(text: str, *, max_terms: int = 12) -> Query:
    """Cut a query into terms (see the module docstring) and identifiers."""
    norm = normalize(text)[:200]
    words: list[str] = []
    for match in _RUN.finditer(norm):
        run = match.group()
        if run[0].isascii():
            words.append(run[:MAX_TOKEN])
        else:
            words.extend(w for w in segmenter().cut(run) if _CJK_RUN.fullmatch(w))
    meaningful = [w for w in words if w not in STOPWORDS]
    chosen = meaningful or words
    terms: dict[str, Term] = {}
    for word in chosen:
        term = _term_for(word)
        if term is not None and term.text not in terms:
            terms[term.text] = term
    # the shorter words inside a long one (汇款单 → 汇款) count a little on their own, so
    # a document that says 汇款通知单 still ranks for 汇款单
    for word in chosen:
        if len(word) >= 3 and not word[0].isascii():
            for sub in segmenter().cut_for_search(word):
                if 2 <= len(sub) < len(word) and sub not in terms and sub not in STOPWORDS:
                    terms[sub] = Term(sub, (sub,) if len(sub) == 2 else _pieces(sub), weight=0.4)
    return Query(
        text=text,
        terms=tuple(list(terms.values())[:max_terms]),
        identifiers=tuple(_identifiers(norm)),
    )
