from django.apps import AppConfig


class CustomersConfig(AppConfig):
    name = "postdesk.customers"
    label = "customers"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from postdesk.customers import exports
        from postdesk.customers.selectors import sms_consent
        from postdesk.notify.services import register_sms_consent

        register_sms_consent(sms_consent)
        exports.register()
