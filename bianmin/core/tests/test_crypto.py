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
