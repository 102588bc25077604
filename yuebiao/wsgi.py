"""WSGI entry point for Yuebiao (gunicorn, runserver): refuses to serve without a secret key of its own."""

import os

from django.core.exceptions import ImproperlyConfigured
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yuebiao.settings")
application = get_wsgi_application()

from yuebiao.deployment import serving_refusal  # noqa: E402  (needs the settings loaded above)

if refusal := serving_refusal():
    raise ImproperlyConfigured(refusal)
