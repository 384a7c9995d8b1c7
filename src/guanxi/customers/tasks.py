"""Background and periodic jobs of the customers app (huey discovers this module); each area keeps its own."""

from guanxi.customers.lists import tasks as list_tasks  # noqa: F401
from guanxi.customers.pools import tasks as pool_tasks  # noqa: F401
from guanxi.customers.search import tasks as search_tasks  # noqa: F401
from guanxi.customers.transfer import tasks as transfer_tasks  # noqa: F401
