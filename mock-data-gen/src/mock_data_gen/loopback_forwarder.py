"""A TCP forwarder from a fixed loopback port to another loopback port.

It gives the embedded Kafka cluster's brokers fixed addresses (librdkafka binds them to
kernel-chosen ports). A connection to the fixed port is paired with a fresh connection to the
target; bytes are copied both ways until either side closes, and then both are closed, so a broker
that goes down looks to the client exactly like a closed Kafka connection.
"""

from __future__ import annotations

import contextlib
import socket
import threading

_CHUNK = 256 * 1024
_ACCEPT_POLL_SECONDS = 0.2


class LoopbackForwarder:
    """Listens on ``127.0.0.1:listen_port`` and forwards every connection to ``target_port``."""

    def __init__(self, *, listen_port: int, target_port: int) -> None:
        self.listen_port = listen_port
        self.target_port = target_port
        self._closing = threading.Event()
        self._lock = threading.Lock()
        self._open: set[socket.socket] = set()
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            self._listener.bind(("127.0.0.1", listen_port))
        except OSError as exc:
            self._listener.close()
            raise OSError(
                exc.errno, f"cannot listen on 127.0.0.1:{listen_port}: {exc.strerror}"
            ) from exc
        self._listener.listen(64)
        self._listener.settimeout(_ACCEPT_POLL_SECONDS)
        self._thread = threading.Thread(
            target=self._accept_loop, name=f"forward-{listen_port}", daemon=True
        )
        self._thread.start()

    def _accept_loop(self) -> None:
        while not self._closing.is_set():
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                if self._closing.is_set():
                    return
                raise
            client.settimeout(None)
            try:
                upstream = socket.create_connection(("127.0.0.1", self.target_port))
            except OSError:
                # The broker is down: refuse the way a real broker's closed port would look.
                client.close()
                continue
            for sock in (client, upstream):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            with self._lock:
                self._open.update((client, upstream))
            for src, dst in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(src, dst), daemon=True).start()

    def _pump(self, src: socket.socket, dst: socket.socket) -> None:
        buffer = bytearray(_CHUNK)
        view = memoryview(buffer)
        try:
            while True:
                received = src.recv_into(buffer)
                if not received:
                    break
                dst.sendall(view[:received])
        except OSError:
            pass
        finally:
            # Closing both ends stops the peer pump too; a half-open Kafka connection is useless.
            for sock in (src, dst):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
            with self._lock:
                for sock in (src, dst):
                    if sock in self._open:
                        self._open.discard(sock)
                        sock.close()

    def close(self) -> None:
        """Stop accepting, drop every forwarded connection and wait for the accept loop to end."""
        self._closing.set()
        self._listener.close()
        self._thread.join(timeout=2 * _ACCEPT_POLL_SECONDS + 1)
        with self._lock:
            for sock in self._open:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
