"""The Celery application. Tasks are thin wrappers in each app's tasks.py that take primary keys; services queue
them by name after the commit through core.queue."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("labtorget")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
