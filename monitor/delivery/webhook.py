"""The generic webhook: the message as JSON, signed with the destination's secret.

Headers: ``Idempotency-Key`` and ``X-Monitor-Delivery`` (the stable delivery id, the same
on every attempt), ``X-Monitor-Timestamp`` (Unix seconds of this attempt) and
``X-Monitor-Signature: v1=<hex HMAC-SHA256 over "<timestamp>.<body>">``. Receivers check
it with :func:`verify_signature` (the recipe in docs/destinations.md does the same in a
few lines of any language).
"""

from __future__ import annotations

import hashlib
import hmac

import orjson

from monitor.delivery.channels import USER_AGENT, OutboundRequest, Target
from monitor.delivery.content import ChannelMessage

SIGNATURE_VERSION = "v1"
# How far a signed timestamp may be from the receiver's clock (replay window).
TOLERANCE_SECONDS = 300


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """``v1=`` and the hex HMAC-SHA256 of ``<timestamp>.<body>`` under ``secret``."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"{SIGNATURE_VERSION}={mac.hexdigest()}"


def verify_signature(
    secret: str, timestamp: str, body: bytes, header: str, *, now: float
) -> bool:
    """True when ``header`` signs ``body`` at ``timestamp`` and that is recent enough."""
    if not timestamp.isdigit() or abs(now - int(timestamp)) > TOLERANCE_SECONDS:
        return False
    return hmac.compare_digest(signature(secret, int(timestamp), body), header)


def webhook_body(message: ChannelMessage, delivery_id: str) -> bytes:
    return orjson.dumps({"delivery_id": delivery_id, **message.to_payload()})


def format_webhook(
    message: ChannelMessage, target: Target, delivery_id: str, timestamp: int
) -> OutboundRequest:
    body = webhook_body(message, delivery_id)
    return OutboundRequest(
        url=target.url,
        body=body,
        headers={
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            "Idempotency-Key": delivery_id,
            "X-Monitor-Delivery": delivery_id,
            "X-Monitor-Timestamp": str(timestamp),
            "X-Monitor-Signature": signature(target.secret, timestamp, body),
        },
    )
