"""Fixtures of the delivery tests: loopback receivers playing the chat services."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.delivery.receivers import Receivers


@pytest.fixture
def receivers() -> Iterator[Receivers]:
    server = Receivers().start()
    yield server
    server.stop()
