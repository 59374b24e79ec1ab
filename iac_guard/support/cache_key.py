"""The cache's secret key: kept where the cache folder is not, so whoever can write the cache
folder still cannot write an entry we accept, nor read one.

A cache folder travels: CI restores it from a cache another job (or a fork's pull request) saved,
a team points it at a shared disk. A key stored in it (as iac-guard 0.1 did) protects nothing
from whoever wrote it there. So the key comes from

- ``IAC_GUARD_CACHE_KEY``, when set and not empty: at least 32 random bytes written as hex or
  base64 (standard or URL-safe, padding optional), e.g. a CI secret. An empty value counts as
  unset, because that is what CI systems hand a job that may not see the secret (GitHub gives
  fork pull requests an empty string), and such a job must get a cold cache, not an error;
- else the file ``cache-key`` in the user's config folder (``$XDG_CONFIG_HOME/iac-guard``, else
  ``~/.config/iac-guard``; macOS ``~/Library/Application Support/iac-guard``; Windows
  ``%APPDATA%\\iac-guard``), created on first use with a fresh random key (hex, mode 0600, in a
  folder tightened to 0700).

A weak key (too short, or obviously not random) and a key file others could read or write are
refused: the scan then runs without a cache and says why. A cache folder whose entries were made
under another key is a cold cache: nothing in it authenticates, so every entry misses and is
replaced.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import re
import secrets
import sys
import tempfile
from pathlib import Path

from .private_paths import check_private_file, private_folder

ENVIRONMENT = "IAC_GUARD_CACHE_KEY"
KEY_FILE = "cache-key"
MIN_KEY_BYTES = 32
#: A random 32-byte key has about 30 distinct byte values; fewer than this is a pattern, not a key.
MIN_DISTINCT_BYTES = 16
#: What the AES-256 entry key is derived under: the same secret may serve other purposes, and
#: a later entry format gets a key of its own.
_PURPOSE = b"iac-guard cache entries v2"
_HEX = re.compile(r"(?:[0-9a-fA-F]{2})+")
_GENERATE = "python3 -c 'import secrets; print(secrets.token_hex(32))'"


class KeyRefused(Exception):
    """The key cannot be used; the message says why and never shows the key."""


def entry_key() -> bytes:
    """The AES-256 key cache entries are sealed with."""
    return entry_key_from(master_key())


def entry_key_from(master: bytes) -> bytes:
    """The entry key a master key gives: what anyone holding ``master`` could seal entries with
    (the tests play such an attacker)."""
    return hmac.new(master, _PURPOSE, hashlib.sha256).digest()


def master_key() -> bytes:
    """``IAC_GUARD_CACHE_KEY``, else the config folder's key file (made if missing)."""
    given = os.environ.get(ENVIRONMENT, "").strip()
    if given:
        return parse_key(given, ENVIRONMENT)
    path = config_folder() / KEY_FILE
    try:
        return parse_key(_read_or_create(path), f"the key file {path}")
    except OSError as exc:
        raise KeyRefused(f"cannot read or create the key file {path}: {exc.strerror}") from None


def parse_key(text: str, origin: str) -> bytes:
    """The bytes of a key written as hex or base64, if there are enough of them and they look random."""
    try:
        if _HEX.fullmatch(text):
            raw = bytes.fromhex(text)
        else:
            standard = text.replace("-", "+").replace("_", "/")
            raw = base64.b64decode(standard + "=" * (-len(standard) % 4), validate=True)
    except (ValueError, binascii.Error):
        raise KeyRefused(f"{origin} is neither hex nor base64; make one with: {_GENERATE}") from None
    if len(raw) < MIN_KEY_BYTES or len(set(raw)) < MIN_DISTINCT_BYTES:
        raise KeyRefused(
            f"{origin} is too weak ({len(raw)} bytes, {len(set(raw))} distinct; at least {MIN_KEY_BYTES} "
            f"random bytes are needed); make one with: {_GENERATE}"
        )
    return raw


def config_folder() -> Path:
    """The platform's per-user config folder + ``iac-guard``."""
    if sys.platform == "win32":
        return Path(os.environ.get("APPDATA") or Path.home() / "AppData" / "Roaming") / "iac-guard"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / "iac-guard"
    configured = os.environ.get("XDG_CONFIG_HOME", "")
    return (Path(configured) if os.path.isabs(configured) else Path.home() / ".config") / "iac-guard"


def _read_or_create(path: Path) -> str:
    """The key file's text. Created atomically (a hard link never replaces an existing key, so two
    scans starting together agree on one); read only if it is a private file of ours."""
    private_folder(path.parent)
    if not path.exists():
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".cache-key-")
        try:
            with os.fdopen(fd, "w", encoding="ascii") as handle:
                handle.write(secrets.token_hex(MIN_KEY_BYTES) + "\n")
            os.link(temporary, path)
        except FileExistsError:
            pass
        finally:
            os.unlink(temporary)
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0))
    try:
        check_private_file(fd, path)
        text = os.read(fd, 1024)
    finally:
        os.close(fd)
    try:
        return text.decode("ascii").strip()
    except UnicodeDecodeError:
        raise KeyRefused(f"the key file {path} is neither hex nor base64; delete it and a new one is made") from None
