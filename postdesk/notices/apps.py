from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NoticesConfig(AppConfig):
    name = "postdesk.notices"
    label = "notices"
    verbose_name = _("Notices")

    def ready(self) -> None:
        from postdesk.notices import exports, links, timeline_provider

        links.install()
        timeline_provider.register()
        exports.register()
