"""Personal data at rest: SM4-GCM (authenticated encryption) with a random 96-bit nonce, and a
keyed SM3 blind index for exact-match lookups. SM4 runs in OpenSSL (`cryptography`), at C speed.

Why GCM rather than CBC + HMAC-SM3: one pass that both encrypts and authenticates (GB/T
17964-2021 lists GCM for SM4; RFC 8998 uses SM4-GCM in TLS), 28 bytes of overhead instead of
49–64, no padding to check, and nothing to get wrong in the order of MAC and decryption. A
random 96-bit nonce is safe for far more than the 2^32 encryptions per key the hall will ever
make. The version byte is authenticated as associated data.

Stored layouts (the first byte says which):

* ``\\x02`` | nonce (12) | ciphertext | GCM tag (16)                     — written now;
* ``\\x01`` | IV (16) | SM4-CBC ciphertext (PKCS#7) | HMAC-SM3(body) (32) — written by the
  earlier pure-Python `gmssl` code; still read (verified, then decrypted with OpenSSL's SM4-CBC),
  so no data migration is needed. Re-saving a record rewrites it as version 2.

Keys are derived from `BIANMIN_FIELD_KEY` so that the blind index can never be used to decrypt
and no key serves two purposes.
"""

import hashlib
import hmac
import secrets
from functools import cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from django.conf import settings

IMPLEMENTATION = "cryptography (OpenSSL) SM4-GCM"
VERSION = b"\x02"
NONCE_BYTES = 12
TAG_BYTES = 16
LEGACY_VERSION = b"\x01"  # SM4-CBC + HMAC-SM3
LEGACY_IV_BYTES = 16
LEGACY_MAC_BYTES = 32


class DecryptionError(Exception):
    """The stored value was altered or written with another key."""


def sm3_hex(data: bytes) -> str:
    return hashlib.new("sm3", data).hexdigest()


def hmac_sm3(key: bytes, data: bytes) -> bytes:
    return hmac.new(key, data, "sm3").digest()


@cache
def _keys(master_hex: str) -> tuple[bytes, bytes, bytes, bytes]:
    master = bytes.fromhex(master_hex)
    return (
        hmac_sm3(master, b"bianmin/sm4-gcm-encryption")[:16],
        hmac_sm3(master, b"bianmin/sm4-encryption")[:16],  # legacy CBC
        hmac_sm3(master, b"bianmin/hmac-sm3-authentication"),  # legacy MAC
        hmac_sm3(master, b"bianmin/sm3-blind-index"),
    )


def _current_keys() -> tuple[bytes, bytes, bytes, bytes]:
    return _keys(settings.FIELD_KEY)


def encrypt_bytes(plain: bytes) -> bytes:
    gcm_key = _current_keys()[0]
    nonce = secrets.token_bytes(NONCE_BYTES)
    encryptor = Cipher(algorithms.SM4(gcm_key), modes.GCM(nonce)).encryptor()
    encryptor.authenticate_additional_data(VERSION)
    body = encryptor.update(bytes(plain)) + encryptor.finalize()
    return VERSION + nonce + body + encryptor.tag


def _decrypt_gcm(stored: bytes) -> bytes:
    gcm_key = _current_keys()[0]
    if len(stored) < 1 + NONCE_BYTES + TAG_BYTES:
        raise DecryptionError("personal data failed authentication")
    nonce = stored[1 : 1 + NONCE_BYTES]
    body, tag = stored[1 + NONCE_BYTES : -TAG_BYTES], stored[-TAG_BYTES:]
    decryptor = Cipher(algorithms.SM4(gcm_key), modes.GCM(nonce, tag)).decryptor()
    decryptor.authenticate_additional_data(VERSION)
    try:
        return decryptor.update(body) + decryptor.finalize()
    except InvalidTag:
        raise DecryptionError("personal data failed authentication") from None


def _decrypt_legacy_cbc(stored: bytes) -> bytes:
    _, cbc_key, mac_key, _ = _current_keys()
    body, mac = stored[:-LEGACY_MAC_BYTES], stored[-LEGACY_MAC_BYTES:]
    if len(body) < 1 + 2 * LEGACY_IV_BYTES or not hmac.compare_digest(mac, hmac_sm3(mac_key, body)):
        raise DecryptionError("personal data failed authentication")
    iv, ciphertext = body[1 : 1 + LEGACY_IV_BYTES], body[1 + LEGACY_IV_BYTES :]
    decryptor = Cipher(algorithms.SM4(cbc_key), modes.CBC(iv)).decryptor()
    padded = decryptor.update(ciphertext) + decryptor.finalize()
    unpadder = padding.PKCS7(128).unpadder()
    try:
        return unpadder.update(padded) + unpadder.finalize()
    except ValueError:  # authenticated, so only a key mix-up gets here
        raise DecryptionError("personal data failed authentication") from None


def decrypt_bytes(stored: bytes) -> bytes:
    stored = bytes(stored)
    version = stored[:1]
    if version == VERSION:
        return _decrypt_gcm(stored)
    if version == LEGACY_VERSION:
        return _decrypt_legacy_cbc(stored)
    raise DecryptionError("personal data failed authentication")


def encrypt_text(plain: str) -> bytes:
    return encrypt_bytes(plain.encode())


def decrypt_text(stored: bytes) -> str:
    return decrypt_bytes(stored).decode()


def blind_index(value: str, *, purpose: str) -> str:
    """Keyed SM3 of a normalized value; `purpose` separates e.g. ID numbers from phones."""
    index_key = _current_keys()[3]
    return hmac.new(index_key, f"{purpose}:{value}".encode(), "sm3").hexdigest()
