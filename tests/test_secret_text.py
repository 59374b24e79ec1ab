"""Secrets inside longer strings (secrets.text): keys in heredocs, headers, embedded config files and
arguments with the line of each, connection-string passwords fingerprinted alone, placeholders left
out, and the predicate for known values that are no credential."""

from __future__ import annotations

import pytest
from conftest import expected_fingerprint, fake_key

from iac_guard.secrets.text import find_connection_passwords, find_keys, is_not_a_credential

OPENAI = fake_key("sk-proj-")
ANTHROPIC = fake_key("sk-ant-api03-", times=11) + "AA"
AWS_ID = fake_key("AKIA", "Q7W8E9R0", 2)
HF = fake_key("hf_", times=4)
DEEPSEEK = "sk-" + "a1b2c3d4" * 4
ELEVENLABS = "sk_" + "a1b2c3d4" * 6


def keys(text: str, field_name: str = "") -> list[tuple[str, int, str]]:
    return [(m.detection.detector, m.line, text[m.start : m.end]) for m in find_keys(text, field_name)]


def test_user_data_heredoc_gives_each_key_with_its_line():
    user_data = f"""#!/bin/bash
set -euo pipefail
export OPENAI_API_KEY={OPENAI}
export AWS_ACCESS_KEY_ID="{AWS_ID}"
cat > /etc/app.env <<EOT
HF_TOKEN={HF}
EOT
"""
    assert keys(user_data) == [("openai-api-key", 3, OPENAI), ("aws-access-key-id", 4, AWS_ID), ("huggingface-token", 6, HF)]


@pytest.mark.parametrize(
    ("text", "detector", "key"),
    [
        (f"Authorization: Bearer {ANTHROPIC}", "anthropic-api-key", ANTHROPIC),
        (f'{{"llm": {{"provider": "openai", "api_key": "{OPENAI}"}}}}', "openai-api-key", OPENAI),
        (f"llm:\n  openai:\n    apiKey: {OPENAI}\n", "openai-api-key", OPENAI),
        (f"[openai]\napi_key = {OPENAI}\n", "openai-api-key", OPENAI),
        (f"--model=gpt-4o --api-key={OPENAI} --verbose", "openai-api-key", OPENAI),
        (f"https://api.example.net/v1?key={fake_key('AIza', times=4)}x_z", "google-api-key", fake_key("AIza", times=4) + "x_z"),
        (f"deepseek:\n  api_key: {DEEPSEEK}\n", "deepseek-api-key", DEEPSEEK),
        (f"curl -H 'xi-api-key: {ELEVENLABS}' https://api.elevenlabs.io/v1/voices", "elevenlabs-api-key", ELEVENLABS),
    ],
    ids=["bearer header", "embedded json", "embedded yaml", "ini", "argument", "url query", "deepseek by keyword", "elevenlabs header"],
)
def test_a_key_is_found_wherever_a_text_holds_it(text, detector, key):
    [(found, _, matched)] = keys(text)
    assert (found, matched) == (detector, key)


def test_a_keyword_gated_format_needs_its_provider_named_near_it_or_in_the_field():
    far = "deepseek is configured elsewhere" + "\n" * 3 + "." * 120 + f"\nkey: {DEEPSEEK}\n"
    assert keys(far) == []
    assert keys(f"key: {DEEPSEEK}", field_name="DEEPSEEK_CONFIG") == [("deepseek-api-key", 1, DEEPSEEK)]
    assert keys(f"key: {ELEVENLABS}") == []


@pytest.mark.parametrize(
    "text",
    [
        "export OPENAI_API_KEY=sk-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
        "export OPENAI_API_KEY=sk-proj-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
        "api_key: <your key>",
        "export OPENAI_API_KEY=${OPENAI_KEY}",
        "Authorization: Bearer {{ .Values.apiKey }}",
    ],
)
def test_placeholders_inside_text_are_not_keys(text):
    assert find_keys(text) == []


def test_a_match_fingerprint_and_offsets_never_give_the_rest_away():
    [match] = find_keys(f"token={OPENAI};")
    assert (match.start, match.end, match.line) == (6, 6 + len(OPENAI), 1)
    assert match.detection.fingerprint == expected_fingerprint(OPENAI, "sk-proj-")


@pytest.mark.parametrize(
    ("text", "password"),
    [
        ("Server=tcp:db.example.net,1433;Database=orders;User ID=app;Password=Zq8!vL2#;Encrypt=true;", "Zq8!vL2#"),
        ("Server=db;Uid=app;Pwd=root;", "root"),
        ('Host=db;Username=app;Password="P@ss;word";', "P@ss;word"),
        ("postgres://app:s3cr3t@db.internal:5432/orders", "s3cr3t"),
        ("mongodb+srv://admin:hunter2@cluster0.mongodb.net/?retryWrites=true", "hunter2"),
        ("export DATABASE_URL=mysql://root:P@ssw0rd@10.0.0.5/app\n", "P@ssw0rd"),
    ],
)
def test_a_connection_string_password_is_found_and_fingerprinted_alone(text, password):
    [match] = find_connection_passwords(text)
    assert text[match.start : match.end] == password
    assert match.detection.detector == "connection-string-password"
    assert match.detection.fingerprint == expected_fingerprint(password)


@pytest.mark.parametrize(
    "text",
    [
        "Server=db;User ID=app;Integrated Security=true;",
        "Server=db;User ID=app;Password=${DB_PASSWORD};",
        "postgres://app:$DB_PASSWORD@db/orders",
        "postgres://app@db/orders",
        "https://db.example.net:5432/orders",
        "Server=db;Password=<password>;",
    ],
)
def test_a_connection_string_without_a_literal_password_has_none(text):
    assert find_connection_passwords(text) == []


def test_the_line_of_a_connection_password_inside_a_config_file():
    config = "[database]\nhost = db\nurl = postgres://app:s3cr3t@db/orders\n"
    [match] = find_connection_passwords(config)
    assert match.line == 3


@pytest.mark.parametrize(
    "value",
    [
        "https://my-openai.openai.azure.com/",
        "https://bedrock-runtime.us-east-1.amazonaws.com",
        "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-5-sonnet-20240620-v1:0",
        "anthropic.claude-3-5-sonnet-20240620-v1:0",
        "gpt-4o-mini",
        "cloud.google.com/gke-preemptible",
        "huggingface-secrets",
        "api.openai.com",
        "/var/run/secrets/openai/key",
    ],
)
def test_names_urls_arns_paths_and_model_ids_are_not_credentials(value):
    assert is_not_a_credential(value)


@pytest.mark.parametrize(
    "value",
    [
        OPENAI,
        f"https://api.example.net/v1?key={fake_key('AIza', times=4)}x_z",
        "https://acct.blob.core.windows.net/c?sv=2022-11-02&sig=Zq8vL2AbCdEf%2B",
        "postgres://app:s3cr3t@db/orders",
        "3f2b8c1e-9d4a-4c6b-8e2f-1a7b9c3d5e60",
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        "Zt4#qL9v!Rw2@Xp7$Nk5",
        "",
    ],
)
def test_keys_passwords_and_random_values_may_be_credentials(value):
    assert not is_not_a_credential(value)
