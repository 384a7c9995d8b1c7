"""`guanxi worker`: the background job consumer (huey), with every app's `tasks.py` loaded.

A thin wrapper around djhuey's `run_huey`: the queue (SQLite file or Redis) and the number of workers come from
settings.HUEY; options such as `--workers 4` or `--worker-type process` override them for one run.
"""

from __future__ import annotations

import logging
from typing import Any

from huey.contrib.djhuey.management.commands.run_huey import Command as RunHueyCommand


class Command(RunHueyCommand):
    help = "Run the background job worker (huey consumer) with the queue configured in settings."

    def handle(self, *args: Any, **options: Any) -> None:
        logger = logging.getLogger("huey")
        if not logger.handlers:
            # run_huey gives the "huey" logger its own handler; without this, the root handler prints every line twice.
            logger.propagate = False
        super().handle(*args, **options)
