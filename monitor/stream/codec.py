"""The wire format of items on Kafka: versioned JSON, one FeedItem per message.

Plain JSON (not a Faust Record) so any client can produce or read the topic, and so the
worker decodes with orjson in one call instead of Faust's model machinery.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Any

import orjson

from monitor.errors import ItemError
from monitor.models import FeedItem

WIRE_VERSION = 1
_FIELDS = {f.name for f in dataclasses.fields(FeedItem)}
_REQUIRED = {f.name for f in dataclasses.fields(FeedItem) if f.default is dataclasses.MISSING}
_DATES = ("published", "fetched_at")


def encode_item(item: FeedItem) -> bytes:
    payload = {f: getattr(item, f) for f in _FIELDS}
    payload["v"] = WIRE_VERSION
    return orjson.dumps(payload)


def decode_item(data: bytes | str) -> FeedItem:
    """Parse one message; raise ItemError saying what is wrong (the item goes to the DLQ)."""
    try:
        payload = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise ItemError("?", f"message is not JSON: {exc}") from exc
    if not isinstance(payload, dict):
        raise ItemError("?", "message is not a JSON object")
    item_id = str(payload.get("item_id", "?"))
    version = payload.pop("v", None)
    if version != WIRE_VERSION:
        raise ItemError(item_id, f"unsupported wire version {version!r} (expected {WIRE_VERSION})")
    missing = _REQUIRED - payload.keys()
    if missing:
        raise ItemError(item_id, f"missing fields: {', '.join(sorted(missing))}")
    kwargs: dict[str, Any] = {k: v for k, v in payload.items() if k in _FIELDS}
    try:
        for name in _DATES:
            kwargs[name] = datetime.fromisoformat(kwargs[name])
            if kwargs[name].tzinfo is None:
                raise ValueError(f"{name} has no time zone")
        return FeedItem(**kwargs)
    except (TypeError, ValueError) as exc:
        raise ItemError(item_id, f"bad field: {exc}") from exc


def routing_key(item: FeedItem) -> bytes:
    """Kafka key: copies of one story with the same normalized title meet on one partition.

    Syndicated copies (MENAFN re-publishing The Rio Times) keep the headline, so keying by
    the normalized title sends them to the same partition, hence the same worker, in order.
    Light rewrites with other headlines may land elsewhere; the store's band index resolves
    those (see store/stories.py).
    """
    return (item.title_key or item.item_id).encode()
