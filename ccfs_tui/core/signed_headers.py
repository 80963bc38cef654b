"""The headers auth-v2 signs by default (no httpx here: the config reads this before the
first frame; ``signing``, which needs httpx, only when a request is signed)."""

DEFAULT_SIGNED_HEADERS: tuple[str, ...] = ("content-length", "content-type", "host")
