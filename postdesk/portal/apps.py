from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "postdesk.portal"
    label = "portal"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from postdesk.portal.services import WEB_ACTOR
        from postdesk.workorders.ownership import register_intake_account

        # web filings wait for the first agent to act on them (首问负责, ownership.py)
        register_intake_account(WEB_ACTOR)
