from django.apps import AppConfig


class WorkordersConfig(AppConfig):
    name = "postdesk.workorders"
    label = "workorders"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from postdesk.workorders import exports, parcel_readers, search, timeline_provider

        exports.register()
        search.register()
        parcel_readers.register()
        timeline_provider.register()
