from typing import Any

from django.apps import AppConfig
from django.db import transaction


def _org_changed(**kwargs: Any) -> None:
    """A unit or a user changed: forget the cached scopes and token users now and again
    at commit (a read between the two may have cached the old state)."""
    from postdesk.core.services import api_token_cache_clear
    from postdesk.org.selectors import scope_cache_clear

    def clear() -> None:
        scope_cache_clear()
        api_token_cache_clear()

    clear()
    transaction.on_commit(clear, using=kwargs.get("using"))


class OrgConfig(AppConfig):
    name = "postdesk.org"
    label = "org"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from postdesk.org import export_list
        from postdesk.org.models import Unit, User

        export_list.register()

        for model in (Unit, User):
            post_save.connect(
                _org_changed, sender=model, dispatch_uid=f"org-cache-{model.__name__}"
            )
            post_delete.connect(
                _org_changed, sender=model, dispatch_uid=f"org-cache-del-{model.__name__}"
            )
