from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class RoutingConfig(AppConfig):
    name = "postdesk.routing"
    label = "routing"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # routing sits above org: it listens to org's unit writes (org knows nothing of it)
        from postdesk.org.models import Unit
        from postdesk.routing.selectors import units_changed

        post_save.connect(units_changed, sender=Unit, dispatch_uid="routing-units-changed")
        post_delete.connect(units_changed, sender=Unit, dispatch_uid="routing-units-changed-del")
