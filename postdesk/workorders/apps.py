from django.apps import AppConfig


class WorkordersConfig(AppConfig):
    name = "postdesk.workorders"
    label = "workorders"
    default_auto_field = "django.db.models.BigAutoField"
