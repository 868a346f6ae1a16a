"""An article's place in time (pure): coming, current, superseded or discontinued."""

from __future__ import annotations

import datetime as dt

COMING, CURRENT, SUPERSEDED, DISCONTINUED = "coming", "current", "superseded", "discontinued"
# ranking: current first, then coming, then the retired ones
RANK = {CURRENT: 0, COMING: 1, SUPERSEDED: 2, DISCONTINUED: 2}


def article_status(
    *, effective_from: dt.date, effective_to: dt.date | None, has_successor: bool, today: dt.date
) -> str:
    """Retired only by its dates: an article naming its successor is current until its
    `effective_to` has passed."""
    if effective_from > today:
        return COMING
    if effective_to is not None and effective_to < today:
        return SUPERSEDED if has_successor else DISCONTINUED
    return CURRENT
