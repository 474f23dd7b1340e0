"""Throttling failed logins per source address (in this process's memory, `limits`)."""

from __future__ import annotations

from limits import RateLimitItemPerSecond
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from runner.settings import WebSettings


class LoginThrottle:
    """After [web] login_failures_per_address failed logins within the window, an address
    is refused (429) without a password check until the oldest failure leaves the window.

    Counted per process: with several uvicorn workers each counts on its own.
    """

    def __init__(self, web: WebSettings) -> None:
        self._limiter = MovingWindowRateLimiter(MemoryStorage())
        window = max(int(web.login_window_minutes * 60), 1)
        self._item = RateLimitItemPerSecond(web.login_failures_per_address, window)

    def blocked(self, address: str) -> bool:
        """Whether the address has used up its failed logins."""
        return not self._limiter.test(self._item, "login", address)

    def failed(self, address: str) -> None:
        """Count one failed login from the address."""
        self._limiter.hit(self._item, "login", address)
