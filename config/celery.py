"""The Celery app: configured from Django settings, tasks autodiscovered from the apps."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

app = Celery("vernetztineuropa")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
