"""Settings for the load benchmark: production settings plus one bare Django view.

The bare view (``/bench/bare/``) answers a plain response through the whole middleware
stack: the fastest page Django can serve on this server, the yardstick for the others.
"""

from config.settings.base import *  # noqa: F403

ROOT_URLCONF = "benchmarks.urls"
