import pytest

from bianmin.core import crypto
from bianmin.core.masking import mask_name, mask_phone
from bianmin.people.idnumber import mask_id_number


def test_round_trip_of_text_and_bytes() -> None:
    assert crypto.decrypt_text(crypto.encrypt_text("61052219900101124X")) == "61052219900101124X"
    photo = bytes(range(256)) * 100
    assert crypto.decrypt_bytes(crypto.encrypt_bytes(photo)) == photo


def test_each_encryption_uses_a_fresh_iv() -> None:
    first, second = crypto.encrypt_text("13912345678"), crypto.encrypt_text("13912345678")
    assert first != second
    assert b"13912345678" not in first


def test_tampered_ciphertext_is_rejected() -> None:
    stored = bytearray(crypto.encrypt_text("13912345678"))
    stored[20] ^= 0x01
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt_bytes(bytes(stored))


def test_blind_index_is_deterministic_and_separated_by_purpose() -> None:
    a = crypto.blind_index("61052219900101124X", purpose="id_number")
    assert a == crypto.blind_index("61052219900101124X", purpose="id_number")
    assert a != crypto.blind_index("61052219900101124X", purpose="phone")
    assert len(a) == 64


def test_blind_index_depends_on_the_key(settings: pytest.FixtureRequest) -> None:
    before = crypto.blind_index("13912345678", purpose="phone")
    settings.FIELD_KEY = "00" * 16  # type: ignore[attr-defined]
    assert crypto.blind_index("13912345678", purpose="phone") != before


def test_masks() -> None:
    assert mask_id_number("61052219900101124X") == "610522********124X"
    assert mask_phone("13912345678") == "139****5678"
    assert mask_name("张三") == "张*"
    assert mask_name("欧阳娜娜") == "欧**娜"


def test_sm3_matches_the_standard_vector() -> None:
    assert crypto.sm3_hex(b"abc") == (
        "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
    )


# Written by the earlier pure-Python gmssl code (SM4-CBC + HMAC-SM3, version 1) with this key.
LEGACY_KEY = "0123456789abcdef" * 2
LEGACY_ID_NUMBER = bytes.fromhex(
    "010a1b7e9fc9b1dc89229da2e03b8653b478523d847fcfe752e9b923c08a11bebe380721bbc184532ed5caff"
    "33136fd72c47ae4b6dfdc218c76fa4d7ec1876e62c50580498cf2431ddafbaf574d03d35df"
)


def test_ciphertexts_of_the_old_gmssl_code_are_still_read(settings: pytest.FixtureRequest) -> None:
    settings.FIELD_KEY = LEGACY_KEY  # type: ignore[attr-defined]
    assert crypto.decrypt_text(LEGACY_ID_NUMBER) == "61052219900101124X"
    tampered = bytearray(LEGACY_ID_NUMBER)
    tampered[20] ^= 0x01
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt_bytes(bytes(tampered))


def test_new_ciphertexts_are_sm4_gcm_and_bound_to_their_version() -> None:
    stored = crypto.encrypt_text("13912345678")
    assert stored[:1] == crypto.VERSION
    assert len(stored) == 1 + crypto.NONCE_BYTES + len("13912345678") + crypto.TAG_BYTES
    relabelled = crypto.LEGACY_VERSION + stored[1:]
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt_bytes(relabelled)
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt_bytes(b"\x09" + stored[1:])


def test_a_ciphertext_made_with_another_key_is_refused(settings: pytest.FixtureRequest) -> None:
    stored = crypto.encrypt_text("13912345678")
    settings.FIELD_KEY = "11" * 16  # type: ignore[attr-defined]
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt_bytes(stored)
