"""What ``manage.py`` uses unless DJANGO_SETTINGS_MODULE says otherwise: the base settings
with DEBUG on by default, so commands run on a laptop without a SECRET_KEY.

It changes nothing else: with DEBUG=0 in the environment these are the production
settings, and a missing SECRET_KEY fails loudly. gunicorn (config.wsgi) and Celery
(config.celery) use config.settings.base, where DEBUG is off unless set.
"""

import os

os.environ.setdefault("DEBUG", "1")

from config.settings.base import *  # noqa: E402,F403
