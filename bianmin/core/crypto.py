"""Personal data at rest: SM4-CBC with a random IV, authenticated by HMAC-SM3 (encrypt-then-MAC),
and a keyed SM3 blind index for exact-match lookups.

`gmssl` supplies SM4 (ECB/CBC only, no AEAD), so the MAC is built here from Python's own SM3
(`hashlib`/`hmac`). Three keys are derived from `BIANMIN_FIELD_KEY` so that the blind index can
never be used to decrypt and the MAC key never encrypts.

Stored layout: b"\x01" | IV (16) | ciphertext (PKCS#7) | HMAC-SM3(version | IV | ciphertext) (32).
"""

import hashlib
import hmac
import secrets
from functools import cache

from django.conf import settings
from gmssl.sm4 import SM4_DECRYPT, SM4_ENCRYPT, CryptSM4

VERSION = b"\x01"
IV_BYTES = 16
MAC_BYTES = 32


class DecryptionError(Exception):
    """The stored value was altered or written with another key."""


def sm3_hex(data: bytes) -> str:
    return hashlib.new("sm3", data).hexdigest()


def hmac_sm3(key: bytes, data: bytes) -> bytes:
    return hmac.new(key, data, "sm3").digest()


@cache
def _keys(master_hex: str) -> tuple[bytes, bytes, bytes]:
    master = bytes.fromhex(master_hex)
    return (
        hmac_sm3(master, b"bianmin/sm4-encryption")[:16],
        hmac_sm3(master, b"bianmin/hmac-sm3-authentication"),
        hmac_sm3(master, b"bianmin/sm3-blind-index"),
    )


def _current_keys() -> tuple[bytes, bytes, bytes]:
    return _keys(settings.FIELD_KEY)


def encrypt_bytes(plain: bytes) -> bytes:
    enc_key, mac_key, _ = _current_keys()
    iv = secrets.token_bytes(IV_BYTES)
    cipher = CryptSM4()
    cipher.set_key(enc_key, SM4_ENCRYPT)
    body = VERSION + iv + cipher.crypt_cbc(iv, plain)
    return body + hmac_sm3(mac_key, body)


def decrypt_bytes(stored: bytes) -> bytes:
    enc_key, mac_key, _ = _current_keys()
    stored = bytes(stored)
    body, mac = stored[:-MAC_BYTES], stored[-MAC_BYTES:]
    if stored[:1] != VERSION or not hmac.compare_digest(mac, hmac_sm3(mac_key, body)):
        raise DecryptionError("personal data failed authentication")
    iv, ciphertext = body[1 : 1 + IV_BYTES], body[1 + IV_BYTES :]
    cipher = CryptSM4()
    cipher.set_key(enc_key, SM4_DECRYPT)
    return cipher.crypt_cbc(iv, ciphertext)


def encrypt_text(plain: str) -> bytes:
    return encrypt_bytes(plain.encode())


def decrypt_text(stored: bytes) -> str:
    return decrypt_bytes(stored).decode()


def blind_index(value: str, *, purpose: str) -> str:
    """Keyed SM3 of a normalized value; `purpose` separates e.g. ID numbers from phones."""
    _, _, index_key = _current_keys()
    return hmac.new(index_key, f"{purpose}:{value}".encode(), "sm3").hexdigest()
