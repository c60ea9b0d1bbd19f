"""Slow and oversized requests against the real server on a real socket: a client dribbling
its headers is cut off after web_read_timeout while others are served; oversized headers
are refused."""

from __future__ import annotations

import socket
import time
from typing import Any

from .helpers import call


def dribble(port: int, seconds: float) -> float | None:
    """Send a request's headers a byte at a time; return when the server closed the
    connection (seconds after connecting), or None if it was still open after ``seconds``."""
    request = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"a" * 400
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=seconds) as sock:
        for byte in request:
            if time.monotonic() - started > seconds:
                return None
            try:
                sock.sendall(bytes([byte]))
                sock.settimeout(0.2)
                if sock.recv(1024) == b"":
                    return time.monotonic() - started
            except TimeoutError:
                continue  # still open, nothing to read: keep dribbling
            except (ConnectionResetError, BrokenPipeError):
                return time.monotonic() - started
    return None


def test_a_client_dribbling_headers_is_cut_off_while_others_are_served(start_web: Any) -> None:
    settings, _, base = start_web(web_read_timeout=1.5)
    port = settings.web_port
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(4) as pool:
        slow = [pool.submit(dribble, port, 8.0) for _ in range(3)]
        time.sleep(0.5)
        served = [call(f"{base}/healthz")[0] for _ in range(5)]  # while they dribble
        closed = [future.result() for future in slow]
    assert served == [200] * 5
    assert all(after is not None and 1.4 <= after < 4.0 for after in closed), closed


def test_oversized_or_too_many_headers_are_refused(web: Any) -> None:
    _settings, _, base = web
    assert call(f"{base}/healthz", headers={"X-Big": "a" * 9000})[0] == 400
    many = {f"X-H{n}": "1" for n in range(80)}
    assert call(f"{base}/healthz", headers=many)[0] == 400
    fine = {f"X-H{n}": "1" for n in range(30)}
    assert call(f"{base}/healthz", headers=fine)[0] == 200


def test_a_slow_form_body_is_cut_off(start_web: Any) -> None:
    """Headers sent at once, then a form body that never completes: a 408 after the read
    timeout instead of a handler waiting forever."""
    settings, engine, _ = start_web(web_read_timeout=2.0)
    from datetime import UTC, datetime

    from monitor.notify.tokens import make_token

    from .helpers import person

    pid, _ = person(engine)
    token = make_token(settings.token_key(), "preferences", pid, None, datetime.now(UTC))
    head = (
        f"POST /p/{token} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\n"
        "subscription=1&action="
    ).encode()
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", settings.web_port), timeout=30) as sock:
        sock.sendall(head)
        answer = sock.recv(4096)
    waited = time.monotonic() - started
    assert answer.startswith(b"HTTP/1.1 408"), answer[:200]
    assert settings.web_read_timeout - 0.5 <= waited < settings.web_read_timeout + 5
