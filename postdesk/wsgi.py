import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "postdesk.settings")
application = get_wsgi_application()

from postdesk.core.db import use_prepared_statements  # noqa: E402 (needs the settings)

use_prepared_statements()  # the web application's statements (settings.DB_PREPARE_THRESHOLD)
