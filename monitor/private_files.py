"""Directories and files only their owner can read: the var dir, the database, the outbox.

They hold subscriber addresses, whole emails and the token key, so whatever the umask, a
directory monitor creates is 0700 and such a file 0600. A directory that already exists is
left as it is: it may be shared on purpose (``/tmp``, a home directory), and changing its
mode could break more than it protects. Files monitor owns are tightened when it opens them.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

DIR_MODE = 0o700
FILE_MODE = 0o600


def private_dir(path: Path) -> Path:
    """``path`` as a directory; the ones created here (parents too) are 0700."""
    missing: list[Path] = []
    current = path
    while not current.exists():
        missing.append(current)
        current = current.parent
    for directory in reversed(missing):
        try:
            directory.mkdir(mode=DIR_MODE)
        except FileExistsError:  # another process made it in between (with this mode)
            continue
        os.chmod(directory, DIR_MODE)  # mkdir's mode passes through the umask
    return path


def private_file(path: Path) -> Path:
    """Create ``path`` empty and 0600 if missing, else :func:`tighten` it. Returns ``path``.

    Its directory is made with :func:`private_dir`.
    """
    private_dir(path.parent)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    except FileExistsError:
        tighten(path)
        return path
    try:
        os.fchmod(fd, FILE_MODE)  # the open's mode passes through the umask
    finally:
        os.close(fd)
    return path


def tighten(path: Path) -> None:
    """Take group and other access away from an existing file; nothing if it is missing."""
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        return
    if mode & 0o077:
        os.chmod(path, mode & ~0o077)


def write_private(path: Path, data: bytes) -> None:
    """Write ``data`` to a new or truncated ``path`` that is 0600, and sync it to disk."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    try:
        os.fchmod(fd, FILE_MODE)
        with os.fdopen(fd, "wb", closefd=False) as fp:
            fp.write(data)
            fp.flush()
            os.fsync(fp.fileno())
    finally:
        os.close(fd)
