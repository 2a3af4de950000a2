import pytest

from crm.platforms.sealing import SealBroken, secrets_seal, secrets_unseal


def test_sealed_secrets_open_only_with_the_key(settings):
    sealed = secrets_seal({"main_password": "Secret-123"})

    assert "Secret-123" not in sealed
    assert secrets_unseal(sealed) == {"main_password": "Secret-123"}
    settings.SECRET_KEY = "another-key"
    with pytest.raises(SealBroken):
        secrets_unseal(sealed)
    with pytest.raises(SealBroken):
        secrets_unseal("not a token")


def test_a_fallback_key_still_opens_boxes_sealed_before_a_rotation(settings):
    sealed = secrets_seal({"password": "Before-rotation-1"})
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "the-new-key"

    assert secrets_unseal(sealed) == {"password": "Before-rotation-1"}
