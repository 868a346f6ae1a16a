import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "postdesk.settings")
os.environ.setdefault("DB_PREPARE_THRESHOLD", "5")  # see settings: web processes
application = get_wsgi_application()
