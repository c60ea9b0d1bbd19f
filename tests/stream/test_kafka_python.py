"""kafka-python through monitor's wrapper: refused connections leave no socket open.

Each case runs in a fresh interpreter, so the library is measured as it is — once as
monitor imports it, once on its own — with nothing patched by the test.
"""

from __future__ import annotations

import subprocess
import sys

from monitor.services import free_port

_PROBE = """
import gc, sys, warnings
from kafka import KafkaAdminClient
from kafka.errors import KafkaError
if sys.argv[2] == "monitor":
    import monitor.stream.kafka_python  # noqa: F401
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always", ResourceWarning)
    try:
        KafkaAdminClient(bootstrap_servers=sys.argv[1], bootstrap_timeout_ms=1500,
                         request_timeout_ms=1500)
    except KafkaError:
        pass
    else:
        sys.exit("bootstrapped against a closed port")
    gc.collect()
print(sum("unclosed <socket" in str(w.message) for w in caught))
"""


def _unclosed_sockets_after_refused_bootstrap(imported_as: str) -> int:
    """Bootstrap an admin client against a closed port; count the unclosed-socket warnings
    the garbage collector raises afterwards."""
    probe = subprocess.run(
        [sys.executable, "-c", _PROBE, f"127.0.0.1:{free_port()}", imported_as],
        capture_output=True, text=True, timeout=60,
    )
    assert probe.returncode == 0, probe.stderr
    return int(probe.stdout.split()[-1])


def test_refused_connection_attempts_close_their_sockets() -> None:
    assert _unclosed_sockets_after_refused_bootstrap("monitor") == 0


def test_without_the_wrapper_kafka_python_leaks_them() -> None:
    """The control: when this fails, kafka-python closes the sockets itself and the wrapper in
    monitor/stream/kafka_python.py can go."""
    assert _unclosed_sockets_after_refused_bootstrap("kafka") > 0
