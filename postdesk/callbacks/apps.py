from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CallbacksConfig(AppConfig):
    name = "postdesk.callbacks"
    label = "callbacks"
    verbose_name = _("Callbacks")

    def ready(self) -> None:
        from postdesk.callbacks import links

        links.install()
