"""Helpers for periodic jobs shared by every app's `tasks.py`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from zoneinfo import ZoneInfo

from django.conf import settings
from huey import crontab
from huey.contrib.djhuey import HUEY


def local_crontab(**fields: str) -> Callable[[dt.datetime], bool]:
    """A huey crontab read in the site's time zone (settings.TIME_ZONE), whatever clock huey runs on.

    huey hands periodic tasks naive UTC times when `utc` is on (its default); "03:30" should mean 03:30 in Shanghai,
    not in Greenwich.
    """
    matches = crontab(**fields)

    def validate(moment: dt.datetime) -> bool:
        if HUEY.utc:
            moment = moment.replace(tzinfo=dt.UTC).astimezone(ZoneInfo(settings.TIME_ZONE)).replace(tzinfo=None)
        return bool(matches(moment))

    return validate
