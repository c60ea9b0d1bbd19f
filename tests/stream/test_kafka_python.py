"""kafka-python through monitor's wrapper: refused connections leave no socket open."""

from __future__ import annotations

import gc
import socket
import warnings
from typing import Any

import pytest
from kafka.net.inet import KafkaNetSocket

from monitor.stream.kafka_python import KafkaAdminClient, KafkaError


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _unclosed_sockets_after_refused_bootstrap() -> list[str]:
    """Bootstrap an admin client against a closed port; return the unclosed-socket warnings
    the garbage collector raises afterwards."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ResourceWarning)
        with pytest.raises(KafkaError):
            KafkaAdminClient(bootstrap_servers=f"127.0.0.1:{_closed_port()}",
                             bootstrap_timeout_ms=1500, request_timeout_ms=1500)
        gc.collect()
    return [str(w.message) for w in caught if "unclosed <socket" in str(w.message)]


def test_refused_connection_attempts_close_their_sockets() -> None:
    assert _unclosed_sockets_after_refused_bootstrap() == []


def test_without_the_wrapper_kafka_python_leaks_them(monkeypatch: Any) -> None:
    """The control: when this fails, kafka-python closes the sockets itself and the wrapper in
    monitor/stream/kafka_python.py can go."""
    monkeypatch.setattr(KafkaNetSocket, "sock_connect", KafkaNetSocket.sock_connect.__wrapped__)
    assert _unclosed_sockets_after_refused_bootstrap()
