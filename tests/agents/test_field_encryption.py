import pytest
from cryptography.fernet import Fernet, InvalidToken
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.db.models.lookups import IsNull

from common.crypto import (
    DecryptionError,
    EncryptedTextField,
    _multi_fernet,
    decrypt_str,
    encrypt_str,
)

OLD_KEY = Fernet.generate_key().decode()
NEW_KEY = Fernet.generate_key().decode()
ACCOUNT = "123456789012"


@pytest.fixture(autouse=True)
def _keys(settings):
    settings.FIELD_ENCRYPTION_KEYS = [OLD_KEY]


def test_a_value_survives_encryption_and_decryption():
    token = encrypt_str(ACCOUNT)
    assert ACCOUNT not in token
    assert decrypt_str(token) == ACCOUNT
    assert decrypt_str(encrypt_str("Zoë, ₹ 500")) == "Zoë, ₹ 500"


def test_two_encryptions_of_the_same_value_differ():
    assert encrypt_str(ACCOUNT) != encrypt_str(ACCOUNT)


def test_a_token_made_with_the_old_key_still_decrypts_after_a_new_key_is_prepended(settings):
    old_token = encrypt_str(ACCOUNT)
    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY, OLD_KEY]

    assert decrypt_str(old_token) == ACCOUNT
    new_token = encrypt_str(ACCOUNT)
    assert Fernet(NEW_KEY).decrypt(new_token.encode()).decode() == ACCOUNT
    with pytest.raises(InvalidToken):
        Fernet(OLD_KEY).decrypt(new_token.encode())


def test_a_token_cannot_be_read_once_its_key_is_dropped(settings):
    old_token = encrypt_str(ACCOUNT)
    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY]
    with pytest.raises(DecryptionError):
        decrypt_str(old_token)


@pytest.mark.parametrize("keys", [[], None])
def test_production_without_keys_refuses_to_encrypt(settings, keys):
    settings.DEBUG = False
    if keys is None:
        del settings.FIELD_ENCRYPTION_KEYS
    else:
        settings.FIELD_ENCRYPTION_KEYS = keys
    with pytest.raises(ImproperlyConfigured, match="FIELD_ENCRYPTION_KEYS is not set"):
        encrypt_str(ACCOUNT)


def test_development_without_keys_derives_a_stable_key_from_the_secret_key(settings):
    settings.DEBUG = True
    settings.FIELD_ENCRYPTION_KEYS = []
    settings.SECRET_KEY = "alice-laptop-secret"
    token = encrypt_str(ACCOUNT)
    _multi_fernet.cache_clear()  # prove the key is re-derived, not remembered

    assert decrypt_str(token) == ACCOUNT
    settings.SECRET_KEY = "bob-laptop-secret"
    with pytest.raises(DecryptionError):
        decrypt_str(token)


@pytest.mark.parametrize("keys", [["not-a-fernet-key"], OLD_KEY])
def test_a_malformed_key_setting_is_reported_without_echoing_the_key(settings, keys):
    settings.FIELD_ENCRYPTION_KEYS = keys
    with pytest.raises(ImproperlyConfigured) as error:
        encrypt_str(ACCOUNT)
    assert "not-a-fernet-key" not in str(error.value)
    assert OLD_KEY not in str(error.value)


def _flip_one_character(token: str, *, at: int = 40) -> str:
    return token[:at] + ("B" if token[at] == "A" else "A") + token[at + 1 :]


def test_a_tampered_token_is_refused_with_a_clear_error():
    with pytest.raises(DecryptionError, match="could not be decrypted: it was altered"):
        decrypt_str(_flip_one_character(encrypt_str(ACCOUNT)))


@pytest.mark.parametrize("garbage", ["not a token", "tökén", ACCOUNT])
def test_a_value_that_was_never_encrypted_is_refused_with_a_clear_error(garbage):
    with pytest.raises(DecryptionError, match="could not be decrypted"):
        decrypt_str(garbage)


def test_the_field_stores_ciphertext_and_reads_back_plaintext():
    field = EncryptedTextField()
    stored = field.get_prep_value(ACCOUNT)
    assert stored != ACCOUNT
    assert decrypt_str(stored) == ACCOUNT
    assert field.from_db_value(stored, None, None) == ACCOUNT
    assert field.to_python(ACCOUNT) == ACCOUNT


@pytest.mark.parametrize("empty", ["", None])
def test_the_field_passes_empty_values_through_unencrypted(empty):
    field = EncryptedTextField()
    assert field.get_prep_value(empty) == empty
    assert field.from_db_value(empty, None, None) == empty


@pytest.mark.parametrize("lookup", ["exact", "iexact", "contains", "startswith", "in"])
def test_the_field_refuses_to_be_filtered_on(lookup):
    with pytest.raises(FieldError, match=f"cannot be filtered with '{lookup}'"):
        EncryptedTextField().get_lookup(lookup)


def test_the_field_can_still_be_filtered_on_isnull():
    assert EncryptedTextField().get_lookup("isnull") is IsNull


def test_the_field_deconstructs_for_migrations():
    _name, path, args, kwargs = EncryptedTextField(blank=True, null=True).deconstruct()
    assert path == "common.crypto.EncryptedTextField"
    assert EncryptedTextField(*args, **kwargs).null is True
    assert kwargs == {"blank": True, "null": True}
