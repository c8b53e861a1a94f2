"""pyHanko's synchronous calls (signing, timestamping, validating) run their own event loop with
``asyncio.run``, which refuses to start inside a thread whose event loop is running (an async caller, or a
program that drives a browser through Playwright's synchronous API in the same thread). `outside_event_loop`
runs such a call in a short-lived worker thread in that case, and in the caller's thread otherwise."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")


def outside_event_loop(call: Callable[[], T]) -> T:
    """``call()``, made where ``asyncio.run`` may start a loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return call()
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="signing") as pool:
        return pool.submit(call).result()
