"""Encrypting backups with BACKUP_KEY, through the `cryptography` library (no crypto of our own).

A file is: a 16-byte marker, a version byte, the scrypt settings (log2 n, r, p), a 16-byte
random salt, a 12-byte random nonce, then the database encrypted with AES-256-GCM. The key is
derived from BACKUP_KEY with scrypt and the file's own salt, and the header is authenticated
with the data, so a wrong key, a changed byte or a cut file is refused, never half-read.
"""

from __future__ import annotations

import os
import struct

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

MAGIC = b"FORUMBOT-BACKUP\n"
VERSION = 1
SCRYPT_LOG_N, SCRYPT_R, SCRYPT_P = 15, 8, 1  # about 32 MB and a third of a second
_HEADER = struct.Struct(">16sBBBB16s12s")
HEADER_SIZE = _HEADER.size


class NotEncrypted(Exception):
    """The bytes do not start like a backup this module wrote."""


class CannotDecrypt(Exception):
    """Wrong key, or the file was changed or cut short."""


def is_encrypted(data: bytes) -> bool:
    """Whether the bytes start like an encrypted backup."""
    return data.startswith(MAGIC)


def encrypt(data: bytes, passphrase: str) -> bytes:
    """The database bytes encrypted with a key derived from the passphrase."""
    salt, nonce = os.urandom(16), os.urandom(12)
    header = _HEADER.pack(MAGIC, VERSION, SCRYPT_LOG_N, SCRYPT_R, SCRYPT_P, salt, nonce)
    key = _derive(passphrase, salt, SCRYPT_LOG_N, SCRYPT_R, SCRYPT_P)
    return header + AESGCM(key).encrypt(nonce, data, header)


def decrypt(blob: bytes, passphrase: str) -> bytes:
    """The database bytes back; NotEncrypted or CannotDecrypt when that cannot be done."""
    if len(blob) < HEADER_SIZE or not is_encrypted(blob):
        raise NotEncrypted
    _, version, log_n, r, p, salt, nonce = _HEADER.unpack_from(blob)
    # Bounds, so a made-up header cannot ask for gigabytes of memory.
    if version != VERSION or not (10 <= log_n <= 17 and 1 <= r <= 8 and 1 <= p <= 2):
        raise CannotDecrypt
    header = blob[:HEADER_SIZE]
    key = _derive(passphrase, salt, log_n, r, p)
    try:
        return AESGCM(key).decrypt(nonce, blob[HEADER_SIZE:], header)
    except InvalidTag:
        raise CannotDecrypt from None


def _derive(passphrase: str, salt: bytes, log_n: int, r: int, p: int) -> bytes:
    """A 256-bit key from the passphrase with scrypt."""
    return Scrypt(salt=salt, length=32, n=2**log_n, r=r, p=p).derive(passphrase.encode("utf-8"))
