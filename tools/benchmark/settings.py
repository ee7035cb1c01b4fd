"""Settings of the benchmark and of the web processes it starts: the product's settings, plus what only the
benchmark needs, so that the production settings carry nothing for it."""

from config.settings import *  # noqa: F403
from tools.benchmark import CELERY_QUEUE

CELERY_TASK_DEFAULT_QUEUE = CELERY_QUEUE
