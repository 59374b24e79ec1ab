"""secrets.detect / fingerprint / providers.common.secret_values.literals_in: what is not a secret (placeholders, references, random
values in fields that do not hold secrets), and fingerprints that never give the value away. Every
key format of the vocabulary: test_secret_formats.py."""

from __future__ import annotations

import random
import string

import pytest
from conftest import expected_fingerprint, fake_key

from iac_guard.model import Location
from iac_guard.providers.common.secret_values import literals_in
from iac_guard.secrets.detect import credential_kind, detect, fingerprint, is_secret_field, name_words

RANDOM_PASSWORD = "Zt4#qL9v!Rw2@Xp7$Nk5"


def test_surrounding_whitespace_does_not_hide_a_key():
    key = fake_key("sk-proj-")
    assert detect(f"  {key}\n").detector == "openai-api-key"


@pytest.mark.parametrize(
    "value",
    [
        "changeme", "CHANGE_ME", "<your-key>", "<OPENAI_API_KEY>", "${var.openai_api_key}", "{{ .Values.apiKey }}",
        "xxxx", "xxxxxxxxxxxxxxxxxxxxxxxx", "sk-proj-xxxxxxxxxxxxxxxxxxxxxxxxxxxx", "AKIAIOSFODNN7EXAMPLE",
        "your-api-key-here", "REDACTED", "TODO", "", "   ", "********", "dummy",
    ],
)
def test_placeholders_are_not_secrets_even_in_secret_fields(value):
    assert detect(value, "openai_api_key") is None


@pytest.mark.parametrize(
    "value",
    [
        "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/openai-AbCdEf",
        "https://vault.internal:8200/v1/secret/data/openai",
        "projects/acme/secrets/openai-key/versions/latest",
        "/orders/prod/openai-key",
        "ref+vault://secret/openai#key",
    ],
)
def test_references_to_a_secret_are_not_the_secret(value):
    assert detect(value, "api_key") is None


@pytest.mark.parametrize("field", ["db_password", "dbPassword", "OPENAI_API_KEY", "client_secret", "github-token", "apiKey"])
def test_random_value_in_a_field_named_for_a_secret_is_a_high_entropy_secret(field):
    detection = detect(RANDOM_PASSWORD, field)
    assert detection is not None
    assert (detection.detector, detection.ai_provider) == ("high-entropy-secret", None)
    assert detection.fingerprint == expected_fingerprint(RANDOM_PASSWORD)


@pytest.mark.parametrize("field", ["kms_key_id", "secret_arn", "key_name", "description", "password_policy", ""])
def test_random_value_elsewhere_is_not_a_secret(field):
    assert detect(RANDOM_PASSWORD, field) is None


@pytest.mark.parametrize("value", ["postgres", "correct horse battery staple", "abcdefghijklmnopqrstu", "1234567890123456789"])
def test_short_spaced_or_plain_values_in_secret_fields_are_not_secrets(value):
    assert detect(value, "db_password") is None


@pytest.mark.parametrize("value", [42, None, True, {"api_key": fake_key("sk-proj-")}, [fake_key("sk-proj-")]])
def test_detect_judges_only_strings(value):
    assert detect(value, "api_key") is None


@pytest.mark.parametrize(
    ("name", "words", "secret"),
    [
        ("OPENAI_API_KEY", ["openai", "api", "key"], True),
        ("openaiApiKey", ["openai", "api", "key"], True),
        ("db-password", ["db", "password"], True),
        ("kms_key_id", ["kms", "key", "id"], False),
        ("secret_arn", ["secret", "arn"], False),
        pytest.param("openAIKey", ["open", "ai", "key"], True),
    ],
)
def test_only_the_last_word_of_a_name_says_it_holds_a_secret(name, words, secret):
    assert is_secret_field(name) is secret
    assert name_words(name) == words


_HERE = Location("main.tf", 3, 3)


def _found(value: object, field: str) -> list[tuple[str, str]]:
    return [(literal.field, literal.detector) for literal in literals_in(value, field, _HERE)]


def test_literals_in_walks_maps_and_lists_with_paths_in_key_order():
    openai, hf = fake_key("sk-proj-"), fake_key("hf_", times=4)
    value = {"zeta": [hf, "plain"], "alpha": {"OPENAI_API_KEY": openai, "db_password": RANDOM_PASSWORD, "kms_key_id": RANDOM_PASSWORD}}
    assert _found(value, "environment.variables") == [
        ("environment.variables.alpha.OPENAI_API_KEY", "openai-api-key"),
        ("environment.variables.alpha.db_password", "high-entropy-secret"),
        ("environment.variables.zeta[0]", "huggingface-token"),
    ]


def test_literals_in_judges_a_plain_string_by_the_last_part_of_its_path():
    assert _found(RANDOM_PASSWORD, "environment.variables.DB_PASSWORD") == [("environment.variables.DB_PASSWORD", "high-entropy-secret")]
    assert _found(RANDOM_PASSWORD, "environment.variables.KMS_KEY_ID") == []


def test_literals_in_stops_at_absurd_depth_without_crashing():
    value: object = fake_key("sk-proj-")
    for _ in range(200):
        value = {"k": value}
    assert _found(value, "x") == []


@pytest.mark.parametrize(
    ("detector", "kind"),
    [
        ("aws-access-key-id", "access-key"), ("high-entropy-secret", "secret"), ("private-key", "secret"),
        ("huggingface-token", "token"), ("github-token", "token"), ("replicate-api-token", "token"),
        ("openai-api-key", "api-key"), ("stripe-secret-key", "api-key"), ("literal-secret", "secret"),
        ("connection-string-password", "secret"), ("openai-admin-key", "api-key"), ("huggingface-org-token", "token"),
        ("aws-bedrock-short-term-key", "api-key"),
    ],
)
def test_credential_kind_of_each_detector(detector, kind):
    assert credential_kind(detector) == kind


def test_fingerprint_of_a_short_value_shows_nothing_of_it():
    assert fingerprint("hunter2hunter2") == expected_fingerprint("hunter2hunter2")


def test_fingerprint_of_invalid_unicode_does_not_crash():
    assert fingerprint("\ud800" + "x" * 30).startswith("…xxxx (31 chars, sha256:")


@pytest.mark.parametrize("prefix", ["sk-proj-", "hf_", "gsk_", "AKIA", ""])
def test_fingerprint_never_contains_the_secret_part(prefix):
    chooser = random.Random(20261128)
    for length in range(12, 80):
        body = "".join(chooser.choice(string.ascii_letters + string.digits + "_-") for _ in range(length))
        shown = fingerprint(prefix + body, len(prefix))
        assert body not in shown and body[:-4] not in shown
        assert shown.startswith(prefix + "…")
