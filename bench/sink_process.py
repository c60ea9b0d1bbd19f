"""The benchmark's SMTP server in a process of its own, as a real mail server would be.

``SmtpSink`` (aiosmtpd) in the mailer's own process costs that process about as much CPU
per message as the mailer's side of the exchange, and competes with it for the GIL; no
deployment runs its MTA inside the mailer. Here it runs in a child process; when the
parent closes the child's stdin, the child writes what it received (Message-ID, Subject,
X-Monitor-Delivery and size of each message) and its own CPU seconds as JSON, and exits.

    python -m bench.sink_process --out FILE [--no-pipelining]  # prints "port N" once listening

The server offers PIPELINING (RFC 2920) as Postfix and Exim do, unless ``--no-pipelining``.
It also writes ``sha256``: a SHA-256 over the SHA-256 of every message received, in sorted
order, so two runs on copies of one database can be held to the same bytes.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
import time
from dataclasses import dataclass
from email.parser import BytesHeaderParser
from email.policy import default as default_policy
from pathlib import Path
from types import TracebackType

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from monitor.services.smtp_sink import SmtpSink  # noqa: E402


@dataclass(frozen=True, slots=True)
class Arrived:
    """What the benchmark checks of one received message."""

    message_id: str
    subject: str
    delivery: str
    size: int


class SinkProcess:
    """Runs the sink in a child process; :attr:`received` and :attr:`cpu_s` after exit."""

    def __init__(self, out: Path, *, pipelining: bool = True) -> None:
        self.out = out
        self.pipelining = pipelining
        self.sha256 = ""
        self.port = 0
        self.received: list[Arrived] = []
        self.cpu_s = 0.0
        self._child: subprocess.Popen[str] | None = None

    def __enter__(self) -> SinkProcess:
        self._child = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "bench.sink_process",
                "--out",
                str(self.out),
                *([] if self.pipelining else ["--no-pipelining"]),
            ],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self._child.stdout is not None
        line = self._child.stdout.readline()
        if not line.startswith("port "):
            self._child.kill()
            raise SystemExit(f"SMTP sink process did not start: {line!r}")
        self.port = int(line.split()[1])
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        child, self._child = self._child, None
        if child is None:
            return
        assert child.stdin is not None
        child.stdin.close()
        if child.wait(timeout=600) != 0:
            raise SystemExit(f"SMTP sink process exited with {child.returncode}")
        data = json.loads(self.out.read_text(encoding="utf-8"))
        self.cpu_s = float(data["cpu_s"])
        self.sha256 = str(data["sha256"])
        self.received = [Arrived(**row) for row in data["received"]]


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--no-pipelining", action="store_true", help="do not offer PIPELINING")
    args = parser.parse_args()
    cpu_started = time.process_time()
    with SmtpSink(pipelining=not args.no_pipelining) as sink:
        print(f"port {sink.port}", flush=True)
        sys.stdin.read()  # until the parent closes it
        received = sink.received
        cpu_s = time.process_time() - cpu_started  # before the headers are read below
    headers = BytesHeaderParser(policy=default_policy)
    rows = []
    for message in received:
        parsed = headers.parsebytes(message.data)
        rows.append(
            {
                "message_id": str(parsed["Message-ID"]),
                "subject": str(parsed["Subject"]),
                "delivery": str(parsed["X-Monitor-Delivery"]),
                "size": len(message.data),
            }
        )
    each = sorted(hashlib.sha256(message.data).digest() for message in received)
    sha256 = hashlib.sha256(b"".join(each)).hexdigest()
    args.out.write_text(
        json.dumps({"cpu_s": cpu_s, "sha256": sha256, "received": rows}), encoding="utf-8"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
