from __future__ import annotations

import pytest


@pytest.fixture
def kb(db):
    """The demo knowledge base: 65 articles, phrases and forbidden-phrase rules."""
    from postdesk.knowledge import demo
    from postdesk.knowledge.models import Article

    demo.seed()
    return {a.title: a for a in Article.objects.all()}
