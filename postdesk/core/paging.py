"""The one bound on a list's page number, for every paged selector.

`?page=1000000000000000000` once reached the database as an OFFSET past SQLite's 64-bit
integer (a 500). A page beyond `MAX_PAGE` is a 400 naming `page`, on every list, whatever
its page size; below it an empty page is simply empty.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from postdesk.core.errors import ValidationFailed

MAX_PAGE = 1_000_000


def page_start(page: int, page_size: int) -> int:
    """The offset of the first row of `page` (1-based); 400 on `page` past MAX_PAGE."""
    if page > MAX_PAGE:
        raise ValidationFailed(
            fields={"page": _("Give a page between 1 and %(max)d.") % {"max": MAX_PAGE}}
        )
    return (page - 1) * page_size
