"""Settings for the load test only (bench.load): the portal's own settings, plus the baseline page.

    DJANGO_SETTINGS_MODULE=bench.settings_load

ROOT_URLCONF adds `/bench-baseline/` (bench.baseline) in front of the portal's URLs, so the portal
itself never gets that URL. Everything else is exactly as in production, except the per-address
login limit: every virtual person of the load test logs in from 127.0.0.1, where real people come
from many addresses.
"""

from wijkhuis.settings import *  # noqa: F403
from wijkhuis.settings import ACCOUNT_RATE_LIMITS

ROOT_URLCONF = "bench.baseline"

ACCOUNT_RATE_LIMITS = {**ACCOUNT_RATE_LIMITS, "login": "1000/m/ip"}
