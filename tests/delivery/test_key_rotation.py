"""Rotating the destination key: several keys in MONITOR_DESTINATION_SECRET (the first
encrypts, all decrypt), `monitor subscriber destination rotate-key` moving every stored
destination onto the first, and malformed keys refused at start. Real processes, both
databases, a loopback receiver; the rotation itself run as the operator runs it."""

from __future__ import annotations

import asyncio
import base64
import os
import subprocess
import sys
import time
from typing import Any

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select

from monitor.config import load_settings
from monitor.delivery.commands import NewDestination, create_destination, send_trial
from monitor.delivery.outcomes import Outcome
from monitor.delivery.secrets import DestinationCipher, reseal_all
from monitor.delivery.webhook import verify_signature
from monitor.errors import ConfigError
from monitor.store.db import transaction
from monitor.store.tables import destinations
from tests.delivery.receivers import Receivers
from tests.delivery.test_dispatcher import subscription_of
from tests.notify.test_mailer import subscribe

HOOK = "/hooks/rotation-secret-path-R1"
SLACK = "/services/T000/B000/rotation-slack-path-R2"


def new_key() -> str:
    return Fernet.generate_key().decode()


def test_the_first_key_seals_and_every_key_opens() -> None:
    old, new = new_key(), new_key()
    sealed_old = DestinationCipher([old.encode()]).seal("https://hooks.example.org/x")
    both = DestinationCipher([new.encode(), old.encode()])
    assert both.open(sealed_old) == "https://hooks.example.org/x"
    sealed_new = both.seal("-100123")
    assert Fernet(new.encode()).decrypt(sealed_new.encode()) == b"-100123"
    with pytest.raises(ConfigError, match="cannot be decrypted with any destination key"):
        DestinationCipher([old.encode()]).open(sealed_new)

    plan = reseal_all(both, [(1, sealed_old, None), (2, sealed_old, sealed_old), (3, "junk", None)])
    assert plan.unreadable == [3]
    only_new = DestinationCipher([new.encode()])
    assert only_new.open(plan.values[1][0]) == "https://hooks.example.org/x"
    secret = plan.values[2][1]
    assert plan.values[1][1] is None and secret is not None and only_new.open(secret)


def stored(engine: Any) -> dict[int, tuple[str, str | None]]:
    with transaction(engine) as conn:
        rows = conn.execute(
            select(destinations.c.id, destinations.c.target, destinations.c.signing_secret)
        ).all()
    return {row.id: (row.target, row.signing_secret) for row in rows}


def test_rotate_key_moves_every_destination_to_the_first_key(
    db_url: str, make_settings: Any, receivers: Receivers, engines: Any
) -> None:
    old, new, stranger = new_key(), new_key(), new_key()

    def keyed(keys: str) -> Any:
        return make_settings(
            database_url=db_url, destination_secret=keys, destinations_allow_http=True
        )

    def trial(keys: str, destination_id: int) -> Outcome:
        return asyncio.run(send_trial(keyed(keys), engine, destination_id))

    def rotate(keys: str) -> subprocess.CompletedProcess[str]:
        """The real command, as an operator runs it."""
        env = {
            **os.environ,
            **keyed(keys).as_env(),
            "MONITOR_LOG_FORMAT": "console",
            "MONITOR_DESTINATION_SECRET": keys,
        }
        return subprocess.run(
            [sys.executable, "-m", "monitor", "subscriber", "destination", "rotate-key"],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    engine = engines(keyed(old).db_url)
    subscribe(engine, "desk@example.org")
    subscription = subscription_of(engine)
    hook = create_destination(
        keyed(old), engine, NewDestination(subscription, "webhook", receivers.url(HOOK))
    )
    slack = create_destination(
        keyed(old), engine, NewDestination(subscription, "slack", receivers.url(SLACK))
    )
    assert hook.signing_secret
    before = stored(engine)
    assert len(before) == 2

    # A new key in front: everything still opens, before any rotation.
    assert trial(f"{new},{old}", slack.id).kind == "sent"
    assert len(receivers.at(SLACK)) == 1
    # The new key alone does not open what the old one sealed.
    with pytest.raises(ConfigError, match="cannot be decrypted"):
        trial(new, slack.id)

    # Keys that open nothing: refused with the ids, and nothing written.
    refused = rotate(f"{stranger},{new}")
    assert refused.returncode == 2
    assert f"destination(s) {hook.id}, {slack.id} cannot be decrypted" in refused.stderr
    assert "nothing was re-encrypted" in refused.stderr
    assert stored(engine) == before

    rotated = rotate(f"{new},{old}")
    assert rotated.returncode == 0, rotated.stderr
    assert "re-encrypted 2 destination(s) with the first destination key" in rotated.stdout
    assert "drop them from MONITOR_DESTINATION_SECRET" in rotated.stdout
    after = stored(engine)
    assert set(after) == set(before)
    for destination_id, (target, secret) in after.items():
        assert target != before[destination_id][0]
        assert (secret is None) == (before[destination_id][1] is None)
        assert HOOK not in target and SLACK not in target
    for output in (rotated.stdout, rotated.stderr, refused.stdout, refused.stderr):
        assert old not in output and new not in output and SLACK not in output

    # The old key can go: the new one alone opens everything, and the webhook's signing
    # secret is still the one its receiver was given.
    assert trial(new, slack.id).kind == "sent" and trial(new, hook.id).kind == "sent"
    (posted,) = receivers.at(HOOK)
    headers = posted.headers
    assert verify_signature(
        hook.signing_secret,
        headers["X-Monitor-Timestamp"],
        posted.body,
        headers["X-Monitor-Signature"],
        now=time.time(),
    )
    with pytest.raises(ConfigError, match="cannot be decrypted"):
        trial(old, slack.id)


@pytest.mark.parametrize(
    ("value", "which"),
    [
        ("not-a-key", "the key"),
        ("{good},short", "key 2 of 2"),
        ("{good},{good},", None),  # a trailing comma is fine
        ("{good}, {good}", None),  # so are spaces
        (base64.urlsafe_b64encode(b"x" * 31).decode(), "the key"),
    ],
)
def test_malformed_keys_are_refused_at_start_without_printing_them(
    value: str, which: str | None, tmp_path: Any
) -> None:
    secret = value.format(good=new_key())
    if which is None:
        settings = load_settings(var_dir=tmp_path, destination_secret=secret)
        assert len(settings.destination_keys()) == 2
        return
    with pytest.raises(ConfigError) as refused:
        load_settings(var_dir=tmp_path, destination_secret=secret)
    message = str(refused.value)
    assert "MONITOR_DESTINATION_SECRET" in message and f"{which} is not a Fernet key" in message
    assert "urlsafe_b64encode(os.urandom(32))" in message  # says how to make a good one
    for part in secret.split(","):
        assert part.strip() not in message


def test_a_malformed_key_stops_the_cli_at_the_door(make_settings: Any) -> None:
    settings = make_settings()
    env = {
        **os.environ,
        **settings.as_env(),
        "MONITOR_DESTINATION_SECRET": f"{new_key()},oops",
    }
    run = subprocess.run(
        [sys.executable, "-m", "monitor", "subscriber", "destination", "rotate-key"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode != 0
    assert "key 2 of 2 is not a Fernet key" in run.stderr and "oops" not in run.stderr
