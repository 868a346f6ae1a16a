"""The forbidden-phrase check before a written reply reaches a customer.

The rules belong to the knowledge base (`postdesk.knowledge.services.phrase_check`, the
service phrases 服务用语); this module only asks it and words the findings. A flagged
reply is refused unless the sender confirms it (`confirm: true`); the findings are then
kept on the timeline, so quality inspection sees what was sent knowingly.
"""

from __future__ import annotations

from postdesk.knowledge.services import phrase_check


def check(text: str) -> list[str]:
    """One line per finding (「matched words」: reason); empty when it may be sent."""
    if not text.strip():
        return []
    return [f"「{finding.text}」{finding.reason}" for finding in phrase_check(text=text)]
