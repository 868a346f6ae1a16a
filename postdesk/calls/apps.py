from django.apps import AppConfig


class CallsConfig(AppConfig):
    name = "postdesk.calls"
    label = "calls"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from postdesk.calls import exports, parcel_readers, timeline_provider

        parcel_readers.register()
        timeline_provider.register()
        exports.register()
