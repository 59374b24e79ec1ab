"""secrets.detect / fingerprint / find_in: every key format of the vocabulary, what is not a secret
(placeholders, references, random values in fields that do not hold secrets), and fingerprints that
never give the value away."""

from __future__ import annotations

import random
import string

import pytest
from conftest import expected_fingerprint, fake_key

from iac_guard.secrets.detect import credential_kind, detect, find_in, fingerprint, is_secret_field, name_words
from iac_guard.secrets.vocabulary import vocabulary

HEX = "a1b2c3d4"
PRIVATE_KEY = "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA" + "q8Zt4Lm2" * 8 + "\n-----END RSA PRIVATE KEY-----"
RANDOM_PASSWORD = "Zt4#qL9v!Rw2@Xp7$Nk5"

#: (value, detector, AI provider, public prefix shown in the fingerprint)
KEY_FORMATS = [
    (fake_key("sk-proj-"), "openai-api-key", "OpenAI", "sk-proj-"),
    (fake_key("sk-svcacct-"), "openai-api-key", "OpenAI", "sk-svcacct-"),
    (fake_key("sk-admin-"), "openai-api-key", "OpenAI", "sk-admin-"),
    ("sk-" + "A1b2C3d4E5f6G7h8I9j0" + "T3BlbkFJ" + "K1l2M3n4O5p6Q7r8S9t0", "openai-api-key", "OpenAI", "sk-"),
    (fake_key("sk-", times=6), "openai-api-key", "OpenAI", "sk-"),
    (fake_key("sk-ant-api03-"), "anthropic-api-key", "Anthropic", "sk-ant-"),
    (fake_key("hf_", times=4), "huggingface-token", "Hugging Face", "hf_"),
    (fake_key("AIza", times=4) + "x_z", "google-api-key", "Google Gemini / Vertex AI", "AIza"),
    (fake_key("gsk_"), "groq-api-key", "Groq", "gsk_"),
    (fake_key("r8_", times=4), "replicate-api-token", "Replicate", "r8_"),
    (fake_key("pcsk_"), "pinecone-api-key", "Pinecone", "pcsk_"),
    ("lsv2_pt_" + HEX * 4 + "_" + HEX + "e5", "langsmith-api-key", "LangSmith / LangChain", "lsv2_"),
    (fake_key("pplx-"), "perplexity-api-key", "Perplexity", "pplx-"),
    (fake_key("xai-"), "xai-api-key", "xAI", "xai-"),
    (fake_key("AKIA", "Q7W8E9R0", 2), "aws-access-key-id", None, "AKIA"),
    (fake_key("ASIA", "Q7W8E9R0", 2), "aws-access-key-id", None, "ASIA"),
    (fake_key("ghp_", times=5), "github-token", None, "ghp_"),
    (fake_key("github_pat_", times=8), "github-token", None, ""),
    ("xoxb-" + "1234567890-" + "A1b2C3d4" * 2, "slack-token", None, ""),
    (fake_key("sk_live_", times=3), "stripe-secret-key", None, ""),
    (PRIVATE_KEY, "private-key", None, ""),
]


def test_the_table_covers_every_key_format_of_the_vocabulary():
    assert {detector for _, detector, _, _ in KEY_FORMATS} == {f.detector for f in vocabulary().key_formats}


@pytest.mark.parametrize(("value", "detector", "provider", "prefix"), KEY_FORMATS, ids=[row[1] + ":" + row[3] for row in KEY_FORMATS])
def test_known_key_format_is_detected_in_any_field(value, detector, provider, prefix):
    detection = detect(value, "description")
    assert detection is not None
    assert (detection.detector, detection.ai_provider) == (detector, provider)
    assert detection.fingerprint == expected_fingerprint(value, prefix)
    assert value not in detection.fingerprint and value[len(prefix):][:-4] not in detection.fingerprint


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


def test_find_in_walks_maps_and_lists_with_paths_in_key_order():
    openai, hf = fake_key("sk-proj-"), fake_key("hf_", times=4)
    value = {"zeta": [hf, "plain"], "alpha": {"OPENAI_API_KEY": openai, "db_password": RANDOM_PASSWORD, "kms_key_id": RANDOM_PASSWORD}}
    found = [(path, detection.detector) for path, detection in find_in(value, "environment.variables")]
    assert found == [
        ("environment.variables.alpha.OPENAI_API_KEY", "openai-api-key"),
        ("environment.variables.alpha.db_password", "high-entropy-secret"),
        ("environment.variables.zeta[0]", "huggingface-token"),
    ]


def test_find_in_judges_a_plain_string_by_the_last_part_of_its_path():
    assert [p for p, _ in find_in(RANDOM_PASSWORD, "environment.variables.DB_PASSWORD")] == ["environment.variables.DB_PASSWORD"]
    assert find_in(RANDOM_PASSWORD, "environment.variables.KMS_KEY_ID") == []


def test_find_in_stops_at_absurd_depth_without_crashing():
    value: object = fake_key("sk-proj-")
    for _ in range(200):
        value = {"k": value}
    assert find_in(value, "x") == []


@pytest.mark.parametrize(
    ("detector", "kind"),
    [
        ("aws-access-key-id", "access-key"), ("high-entropy-secret", "secret"), ("private-key", "secret"),
        ("huggingface-token", "token"), ("github-token", "token"), ("replicate-api-token", "token"),
        ("openai-api-key", "api-key"), ("stripe-secret-key", "api-key"),
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
