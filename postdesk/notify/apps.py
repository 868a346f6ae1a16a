from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "postdesk.notify"
    label = "notify"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from postdesk.core.health import register_deep_check
        from postdesk.core.metrics import register_state
        from postdesk.notify.health import outbox_backlog, outbox_metrics

        register_deep_check("outbox", outbox_backlog)
        register_state("outbox", outbox_metrics)
