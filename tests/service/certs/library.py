"""A stand-in for the city's e-licence library: a real HTTP server that fails, dawdles and hears duplicates.

It keeps, per (certificate id, version), the message of the highest revision, as the contract asks of the
real library, and checks every message against docs/elicence-message.schema.json (imported by the tests).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import jsonschema_rs

SCHEMA = json.loads((Path(__file__).parents[3] / "docs" / "elicence-message.schema.json").read_text())

Behaviour = Callable[[int], tuple[int, float, bool]]
"""For the n-th request (from 1): the status to answer, seconds to wait first, and whether to keep the message."""


@dataclass
class Library:
    held: dict[tuple[str, int], dict[str, Any]] = field(default_factory=dict)
    keys_seen: list[str] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)
    requests: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def keep(self, message: dict[str, Any], key: str) -> None:
        with self.lock:
            self.keys_seen.append(key)
            where = (message["certificate_id"], message["version"])
            if where not in self.held or self.held[where]["revision"] <= message["revision"]:
                self.held[where] = message

    def states(self) -> dict[tuple[str, int], str]:
        return {where: message["state"] for where, message in self.held.items()}


@contextmanager
def serving(port: int, behaviour: Behaviour) -> Iterator[Library]:
    library = Library()
    validator = jsonschema_rs.validator_for(SCHEMA, validate_formats=True)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (the name http.server calls)
            with library.lock:
                library.requests += 1
                n = library.requests
            status, delay, keeps = behaviour(n)
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            library.violations += [str(e) for e in validator.iter_errors(body)]
            if keeps:
                library.keep(body, self.headers["Idempotency-Key"])
            time.sleep(delay)
            try:
                self.send_response(status)
                self.end_headers()
            except OSError:
                pass  # the pusher gave up waiting and hung up

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield library
    finally:
        server.shutdown()
        server.server_close()
