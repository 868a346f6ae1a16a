"""The forbidden-phrase check before a written reply reaches a customer.

The rules belong to the knowledge base (`postdesk.knowledge`, service phrases 服务用语);
this module only asks it. A flagged reply is refused unless the sender confirms it
(`confirm: true`), and the flags are then kept on the timeline.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def _checker() -> Callable[..., Any] | None:
    for module_name in ("postdesk.knowledge.services", "postdesk.knowledge.phrases"):
        try:
            module = __import__(module_name, fromlist=["phrase_check"])
        except ImportError:
            continue
        found = getattr(module, "phrase_check", None)
        if callable(found):
            return found  # type: ignore[no-any-return]
    return None


def _reasons(result: Any) -> list[str]:
    if result is None or result is True:
        return []
    if isinstance(result, str):
        return [result]
    for attr in ("reasons", "flags", "problems", "hits"):
        value = getattr(result, attr, None)
        if value is None and isinstance(result, dict):
            value = result.get(attr)
        if value is not None:
            return [str(getattr(v, "reason", None) or getattr(v, "message", None) or v) for v in value]
    if isinstance(result, list | tuple):
        return [str(getattr(v, "reason", None) or getattr(v, "message", None) or v) for v in result]
    return []


def check(text: str) -> list[str]:
    """Reasons why `text` should not be sent as it is (empty: fine)."""
    if not text.strip():
        return []
    checker = _checker()
    if checker is None:
        return []
    return _reasons(checker(text=text))
