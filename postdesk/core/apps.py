from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "postdesk.core"
    label = "core"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from postdesk.core import access_log_export

        access_log_export.register()
