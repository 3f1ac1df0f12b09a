"""WSGI entry point for gunicorn. Production sets DATABASE_URL; nothing embedded starts here."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wijkhuis.settings")
application = get_wsgi_application()
