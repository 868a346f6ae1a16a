from django.apps import AppConfig


class TrackingConfig(AppConfig):
    name = "postdesk.tracking"
    label = "tracking"
    default_auto_field = "django.db.models.BigAutoField"
