"""A local TCP proxy with an idle timeout, the way a load balancer has one: it
stands in for the ALB, which cannot run here (the websocket probe's unit tests
and the integration tests use it).

Forwards bytes both ways between a client and an upstream address, and closes
both sides of a connection once no byte has passed in either direction for
``idle_timeout`` seconds.
"""

from __future__ import annotations

import contextlib
import selectors
import socket
import threading
import time


class IdleProxy:
    """Listens on 127.0.0.1 (``port``); use as a context manager."""

    def __init__(self, upstream: tuple[str, int], idle_timeout: float, port: int = 0):
        self.upstream = upstream
        self.idle_timeout = idle_timeout
        self.cut = 0  # connections closed for being idle
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._listener = socket.create_server(("127.0.0.1", port))
        self._listener.settimeout(0.1)
        self.port = self._listener.getsockname()[1]

    def __enter__(self) -> IdleProxy:
        self._start(self._accept)
        return self

    def __exit__(self, *exc_info) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=5)
        self._listener.close()

    def _start(self, target, *args) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True)
        self._threads.append(thread)
        thread.start()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            client.settimeout(None)
            try:
                upstream = socket.create_connection(self.upstream, timeout=5)
            except OSError:
                client.close()
                continue
            upstream.settimeout(None)
            self._start(self._forward, client, upstream)

    def _forward(self, client: socket.socket, upstream: socket.socket) -> None:
        peer = {client: upstream, upstream: client}
        with selectors.DefaultSelector() as selector:
            for sock in peer:
                selector.register(sock, selectors.EVENT_READ)
            last_traffic = time.monotonic()
            try:
                while not self._stop.is_set():
                    remaining = last_traffic + self.idle_timeout - time.monotonic()
                    if remaining <= 0:
                        with self._lock:
                            self.cut += 1
                        return
                    for key, _ in selector.select(timeout=min(remaining, 0.1)):
                        data = key.fileobj.recv(65536)
                        if not data:
                            return
                        peer[key.fileobj].sendall(data)
                        last_traffic = time.monotonic()
            except OSError:
                return
            finally:
                for sock in peer:
                    with contextlib.suppress(OSError):
                        sock.shutdown(socket.SHUT_RDWR)
                    sock.close()
