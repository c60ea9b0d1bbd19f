"""kafka-python as monitor uses it: import its clients from here, never from ``kafka``.

kafka-python 3.0.12 leaves the socket of a failed connection attempt open (``KafkaNetSocket.
connect`` creates it and lets ``sock_connect``'s error escape without closing it). Each
refused attempt, for instance every reconnect while the broker restarts, then holds a file
descriptor until the garbage collector finds the socket, and raises an "unclosed socket"
``ResourceWarning`` wherever that happens. The wrapper below closes the socket when the
attempt fails; a connected socket is left to kafka-python as before.

kafka-python's own log lines (one per refused connection) are silenced here too: monitor
reports what a failed Kafka call means in its own structured logs.
"""

from __future__ import annotations

import functools
import logging
import socket
from collections.abc import Awaitable, Callable
from typing import Any

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import OffsetSpec
from kafka.errors import KafkaError
from kafka.net.inet import KafkaNetSocket
from kafka.structs import OffsetAndMetadata

__all__ = [
    "KafkaAdminClient",
    "KafkaConsumer",
    "KafkaError",
    "KafkaProducer",
    "OffsetAndMetadata",
    "OffsetSpec",
    "TopicPartition",
]

SockConnect = Callable[..., Awaitable[socket.socket]]


def _closing_on_failure(sock_connect: SockConnect) -> SockConnect:
    @functools.wraps(sock_connect)
    async def wrapper(
        self: Any, net: Any, sock: socket.socket, *args: Any, **kwargs: Any
    ) -> socket.socket:
        try:
            return await sock_connect(self, net, sock, *args, **kwargs)
        except BaseException:
            sock.close()
            raise

    return wrapper


KafkaNetSocket.sock_connect = _closing_on_failure(KafkaNetSocket.sock_connect)

logging.getLogger("kafka").setLevel(logging.CRITICAL)
