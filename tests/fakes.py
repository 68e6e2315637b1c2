"""Small in-memory stand-ins for services the unit tests do not start."""

from __future__ import annotations

import redis


class FakeRedis:
    """The few Redis commands the scoring key uses (SET with NX and EX, DELETE), in memory;
    `down` makes every command fail as a stopped server does."""

    def __init__(self) -> None:
        self.values: dict[str, str] = {}
        self.expiries: dict[str, int | None] = {}
        self.down = False

    def _check(self) -> None:
        if self.down:
            raise redis.ConnectionError(
                "Error 111 connecting to 127.0.0.1:6379. Connection refused."
            )

    def set(self, key: str, value: str, *, nx: bool = False, ex: int | None = None) -> bool | None:
        self._check()
        if nx and key in self.values:
            return None
        self.values[key], self.expiries[key] = value, ex
        return True

    def delete(self, *keys: str) -> int:
        self._check()
        removed = [key for key in keys if self.values.pop(key, None) is not None]
        return len(removed)
