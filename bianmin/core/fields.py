"""Model fields that keep personal data encrypted at rest (see `bianmin.core.crypto`)."""

from typing import TYPE_CHECKING, Any

from django.db import models

from bianmin.core import crypto

if TYPE_CHECKING:
    _TextBase = models.Field[str | None, str | None]
    _BytesBase = models.Field[bytes | None, bytes | None]
else:
    _TextBase = _BytesBase = models.BinaryField


class EncryptedTextField(_TextBase):
    """Text stored as SM4 ciphertext; Python code sees the plain string."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> str | None:
        if value is None:
            return None
        return crypto.decrypt_text(bytes(value))

    def get_db_prep_value(self, value: Any, connection: Any, prepared: bool = False) -> Any:
        if value is None:
            return None
        if isinstance(value, str):
            value = crypto.encrypt_text(value)
        return super().get_db_prep_value(value, connection, prepared)

    def to_python(self, value: Any) -> Any:
        return value


class EncryptedBinaryField(_BytesBase):
    """Bytes (photos, face templates) stored as SM4 ciphertext."""

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> bytes | None:
        if value is None:
            return None
        return crypto.decrypt_bytes(bytes(value))

    def get_db_prep_value(self, value: Any, connection: Any, prepared: bool = False) -> Any:
        if value is None:
            return None
        return super().get_db_prep_value(crypto.encrypt_bytes(bytes(value)), connection, prepared)
