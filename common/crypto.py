"""Authenticated encryption of single values (Fernet: AES-128-CBC + HMAC-SHA256).

Keys come from the setting `FIELD_ENCRYPTION_KEYS`, a list of Fernet keys. The first key
encrypts; every key decrypts, so a key is rotated by prepending a new one, re-saving the rows,
then dropping the old key. Make a key with:

    python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"

Without keys, a development machine (DEBUG) derives one from SECRET_KEY so `make run` works;
production refuses to start encrypting rather than silently use a guessable key.
"""

import base64
import hashlib
from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.db import models

# Kept apart from SECRET_KEY's other uses (sessions, signing): the derived key is not the
# plain hash of the secret.
_DEV_KEY_PURPOSE = b"homeshore.common.crypto.dev-field-key:"


class DecryptionError(ValueError):
    """A stored token failed authentication: it was altered, or no configured key made it."""


def _development_key() -> str:
    digest = hashlib.sha256(_DEV_KEY_PURPOSE + settings.SECRET_KEY.encode()).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii")


def _configured_keys() -> tuple[str, ...]:
    keys = getattr(settings, "FIELD_ENCRYPTION_KEYS", None) or []
    # A bare string would be iterated character by character into nonsense keys.
    if isinstance(keys, str | bytes):
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS must be a list of Fernet keys.")
    if keys:
        return tuple(key.decode("ascii") if isinstance(key, bytes) else key for key in keys)
    if settings.DEBUG:
        return (_development_key(),)
    raise ImproperlyConfigured(
        "FIELD_ENCRYPTION_KEYS is not set: production needs at least one Fernet key "
        "to encrypt sensitive fields."
    )


@lru_cache(maxsize=8)
def _multi_fernet(keys: tuple[str, ...]) -> MultiFernet:
    # Keyed on the key tuple itself, so a settings change (rotation, tests) never sees a stale
    # MultiFernet.
    fernets = []
    for position, key in enumerate(keys, start=1):
        try:
            fernets.append(Fernet(key))
        except ValueError as exc:
            # Name the position only: the key itself must not end up in logs.
            raise ImproperlyConfigured(
                f"FIELD_ENCRYPTION_KEYS[{position - 1}] is not a valid Fernet key "
                "(32 url-safe base64-encoded bytes)."
            ) from exc
    return MultiFernet(fernets)


def encrypt_str(value: str) -> str:
    """Encrypt `value` with the first key. Equal inputs give different tokens (random IV)."""
    return _multi_fernet(_configured_keys()).encrypt(value.encode("utf-8")).decode("ascii")


def decrypt_str(token: str) -> str:
    """Decrypt a token made by `encrypt_str` with any configured key."""
    try:
        plaintext = _multi_fernet(_configured_keys()).decrypt(token.encode("ascii"))
    except (InvalidToken, UnicodeEncodeError) as exc:
        raise DecryptionError(
            "The encrypted value could not be decrypted: it was altered, "
            "or none of FIELD_ENCRYPTION_KEYS encrypted it."
        ) from exc
    return plaintext.decode("utf-8")


class EncryptedTextField(models.TextField):
    """A text column holding a Fernet token; model instances see the plaintext.

    The ciphertext differs on every save, so the database cannot compare values: only
    `isnull` lookups are allowed, and `unique` or an index on this field would be meaningless.
    Empty strings and None are stored as they are (an empty value is not a secret).
    """

    description = "Text encrypted with Fernet"

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        if value is None or value == "":
            return value
        return decrypt_str(value)

    def to_python(self, value: Any) -> str | None:
        # Forms and deserialisers (loaddata) hand over plaintext; only the database holds
        # tokens, and from_db_value decrypts those. Guessing here whether a string "looks
        # encrypted" would mangle a plaintext that happened to look like a token.
        return super().to_python(value)

    def get_prep_value(self, value: Any) -> str | None:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt_str(value)

    def get_lookup(self, lookup_name: str):
        if lookup_name == "isnull":
            return super().get_lookup(lookup_name)
        raise self._lookup_refused(lookup_name)

    def get_transform(self, lookup_name: str):
        raise self._lookup_refused(lookup_name)

    def _lookup_refused(self, lookup_name: str) -> FieldError:
        label = f"{self.model.__name__}.{self.name}" if hasattr(self, "model") else "This field"
        return FieldError(
            f"{label} is encrypted and cannot be filtered with '{lookup_name}': the column "
            "holds ciphertext that differs on every save. Only 'isnull' is supported."
        )

    def deconstruct(self) -> tuple[str, str, list[Any], dict[str, Any]]:
        name, _path, args, kwargs = super().deconstruct()
        # Pinned so migrations keep importing the field from here.
        return name, "common.crypto.EncryptedTextField", args, kwargs
