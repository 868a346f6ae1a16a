from django.apps import AppConfig


class TrackingConfig(AppConfig):
    name = "postdesk.tracking"
    label = "tracking"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from postdesk.tracking import exports, timeline_provider

        timeline_provider.register()
        exports.register()
