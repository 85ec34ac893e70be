"""What every HTTP request meets before Gradio parses it: bounds on what a client can make the server keep.

Gradio keeps state per session hash (its queue, the session's state) and parses a body whole; a client chooses
both. A component's server call (the viewer's tiles and drops) carries at most 64 KB, and a session hash at most
:data:`SESSION_CHARS` characters (Gradio's page sends 11, gradio_client 36): 300 calls with a 1 MB hash once
kept 344 MB for good. Gradio's own session store is bounded too (``state_session_capacity``, shell.py).
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs

BODY_BYTES = 64 * 1024  # the largest call of the viewer's server functions (a tile request is ~300 bytes)
SESSION_CHARS = 64
_HASH_IN_BODY = re.compile(rb'"session_hash"\s*:\s*"([^"]*)"')
_HASH_IN_PATH = ("/heartbeat/", "/stream/")  # routes that carry the hash as a path segment


async def _answer(send: Any, status: int, text: str) -> None:
    await send({"type": "http.response.start", "status": status, "headers": [(b"content-type", b"text/plain")]})
    await send({"type": "http.response.body", "body": text.encode()})


async def _read(receive: Any, limit: int | None) -> tuple[bytes, bool]:
    """The request's body, up to ``limit`` bytes (None: all of it); and whether more was left unread."""
    body, more = b"", True
    while more and (limit is None or len(body) <= limit):
        message = await receive()
        body += message.get("body", b"")
        more = message.get("more_body", False)
    return body, more


def _replaying(body: bytes, receive: Any) -> Any:
    replayed = False

    async def replay() -> dict[str, Any]:
        nonlocal replayed
        if replayed:
            return await receive()  # after the body: wait for the client to go, as the server would
        replayed = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay


class Guard:
    """ASGI middleware: a component server call over :data:`BODY_BYTES` is answered 413, and a request naming a
    session hash longer than :data:`SESSION_CHARS` (in its query, path or JSON body) 400, before Gradio keeps any
    of it."""

    def __init__(self, app: Any, limit: int = BODY_BYTES) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        hashes = parse_qs(scope.get("query_string", b"").decode(errors="replace")).get("session_hash", [])
        hashes += [path.split(marker, 1)[1].split("/", 1)[0] for marker in _HASH_IN_PATH if marker in path]
        if any(len(h) > SESSION_CHARS for h in hashes):
            await _answer(send, 400, f"A session hash is at most {SESSION_CHARS} characters: refused.")
            return
        server_call = path.rstrip("/").endswith("/component_server")
        json_post = scope["method"] == "POST" and dict(scope.get("headers") or []).get(b"content-type", b"").startswith(
            b"application/json"
        )
        if not (server_call or json_post):
            await self.app(scope, receive, send)
            return
        body, more = await _read(receive, self.limit if server_call else None)
        if server_call and (more or len(body) > self.limit):
            await _answer(send, 413, f"Over {self.limit} bytes: refused.")
            return
        found = _HASH_IN_BODY.search(body)
        if found and len(found[1]) > SESSION_CHARS:
            await _answer(send, 400, f"A session hash is at most {SESSION_CHARS} characters: refused.")
            return
        await self.app(scope, _replaying(body, receive), send)
