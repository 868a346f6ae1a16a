from django.apps import AppConfig


class KnowledgeConfig(AppConfig):
    name = "postdesk.knowledge"
    label = "knowledge"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from postdesk.knowledge.search import register_kind
        from postdesk.knowledge.services import ARTICLE_KIND, article_documents

        register_kind(ARTICLE_KIND, iter_documents=article_documents)
