from django.apps import AppConfig


class WorkforceConfig(AppConfig):
    name = "postdesk.workforce"
    label = "workforce"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from postdesk.workforce import search

        search.register()
