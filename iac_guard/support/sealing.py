"""Sealed cache entries: encrypted and authenticated with AES-256-GCM, one format for the parse
cache's rows and the result cache's files.

Why encrypt and not only sign: what is cached is what files parsed into and what scans found,
and that holds every literal of the scanned code — a hardcoded key included. Sealed, a cache
folder that is copied, restored elsewhere or read by someone else shows nothing but its entry
names (hashes). Why AES-GCM: one pass authenticates and decrypts, at memory speed with AES-NI,
so a warm re-scan costs about what it did with an HMAC alone; and nothing is unpickled before the
tag has been checked. Each entry gets a random nonce (never reused under one key), and the entry's
name is its associated data: an entry copied under another name (another file's parse, another
scan's answer) fails as surely as a changed byte.

Layout of a sealed entry: ``MAGIC`` (8 bytes), nonce (12), ciphertext, tag (16).
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, BinaryIO

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.ciphers import AEADEncryptionContext

MAGIC = b"IAGC\x02\x00\x00\x00"
NONCE_BYTES = 12
TAG_BYTES = 16
HEADER_BYTES = len(MAGIC) + NONCE_BYTES


class Sealer:
    """Seals and opens entries under one AES-256 key."""

    def __init__(self, key: bytes) -> None:
        # Imported here: loading OpenSSL costs about 15 ms, which only scans using the cache pay.
        from cryptography.exceptions import InvalidTag
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        self._key = key
        self._aead = AESGCM(key)
        self._invalid = InvalidTag

    def seal(self, name: str, payload: bytes) -> bytes:
        nonce = os.urandom(NONCE_BYTES)
        return MAGIC + nonce + self._aead.encrypt(nonce, payload, _associated(name))

    def unseal(self, name: str, sealed: bytes) -> bytes | None:
        """The payload of an entry sealed under ``name`` with our key, else None."""
        if len(sealed) < HEADER_BYTES + TAG_BYTES or not sealed.startswith(MAGIC):
            return None
        nonce = sealed[len(MAGIC) : HEADER_BYTES]
        try:
            return self._aead.decrypt(nonce, memoryview(sealed)[HEADER_BYTES:], _associated(name))
        except self._invalid:
            return None

    def writer(self, name: str, handle: BinaryIO) -> SealingWriter:
        """A file to write an entry's payload to as it is produced (``finish`` when done): a large
        scan's answer is never held in memory whole to be sealed in one go."""
        from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

        nonce = os.urandom(NONCE_BYTES)
        encryptor = Cipher(algorithms.AES(self._key), modes.GCM(nonce)).encryptor()
        encryptor.authenticate_additional_data(_associated(name))
        handle.write(MAGIC + nonce)
        return SealingWriter(handle, encryptor)


class SealingWriter:
    """A binary file for the pickler that encrypts what it is given; ``unseal`` opens the result."""

    def __init__(self, handle: BinaryIO, encryptor: AEADEncryptionContext) -> None:
        self._handle = handle
        self._encryptor = encryptor

    def write(self, data: bytes) -> int:
        self._handle.write(self._encryptor.update(data))
        return len(data)

    def finish(self) -> None:
        self._handle.write(self._encryptor.finalize() + self._encryptor.tag)


def _associated(name: str) -> bytes:
    return b"iac-guard cache entry\0" + name.encode("utf-8", "surrogatepass")
