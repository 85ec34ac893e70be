"""A small HTTP server on 127.0.0.1 that speaks the Hub's resolve protocol, with faults on demand.

HEAD/GET ``/{repo}/resolve/{revision}/{path}`` answer with ``X-Repo-Commit`` and ``ETag`` (sha256 for
large files, as the Hub does for LFS; the git blob id for small ones), which is all ``hf_hub_download``
needs. Faults per file: "404", "500", "cut" (body stops half way), "wrong-hash" (right ETag, other bytes),
"hang" (never answers).
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote

COMMIT = "0123456789abcdef0123456789abcdef01234567"


def etag_for(path: str, data: bytes) -> str:
    if path.endswith(".safetensors"):
        return hashlib.sha256(data).hexdigest()
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


class FakeHub:
    def __init__(self, repo: str, files: Mapping[str, bytes]) -> None:
        self.repo = repo
        self.files = dict(files)
        self.faults: dict[str, str] = {}
        self.requests: list[tuple[str, str]] = []  # (method, path in repo)
        hub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_HEAD(self) -> None:
                hub._answer(self, body=False)

            def do_GET(self) -> None:
                hub._answer(self, body=True)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def gets(self) -> list[str]:
        return [path for method, path in self.requests if method == "GET"]

    def __enter__(self) -> FakeHub:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _answer(self, handler: BaseHTTPRequestHandler, body: bool) -> None:
        prefix = f"/{self.repo}/resolve/"
        if not handler.path.startswith(prefix):
            return self._error(handler, 404, "RepoNotFound")
        _revision, _, path = unquote(handler.path[len(prefix) :]).partition("/")
        self.requests.append((handler.command, path))
        fault = self.faults.get(path)
        if fault == "hang":
            time.sleep(30)
            return None
        if fault == "500":
            return self._error(handler, 500, None)
        if fault == "404" or path not in self.files:
            return self._error(handler, 404, "EntryNotFound")
        data = self.files[path]
        handler.send_response(200)
        handler.send_header("X-Repo-Commit", COMMIT)
        handler.send_header("ETag", f'"{etag_for(path, data)}"')
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        if not body:
            return None
        if fault == "wrong-hash":
            data = bytes(255 - b for b in data[:64]) + data[64:]
        if fault == "cut":
            handler.wfile.write(data[: len(data) // 2])
            handler.wfile.flush()
            handler.close_connection = True
            return None
        handler.wfile.write(data)
        return None

    @staticmethod
    def _error(handler: BaseHTTPRequestHandler, status: int, code: str | None) -> None:
        handler.send_response(status)
        if code:
            handler.send_header("X-Error-Code", code)
        handler.send_header("X-Repo-Commit", COMMIT)
        handler.send_header("Content-Length", "0")
        handler.end_headers()
