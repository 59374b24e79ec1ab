"""Every key format of the vocabulary: a realistic value is detected as a whole value and inside a
text; a near miss of it (wrong length, wrong alphabet, inside a longer token, placeholder) is not;
redaction hides it."""

from __future__ import annotations

import pytest
from conftest import expected_fingerprint, fake_key

from iac_guard.secrets.detect import detect, redact
from iac_guard.secrets.text import find_keys
from iac_guard.secrets.vocabulary import vocabulary

HEX = "a1b2c3d4"
UUID = "3f2b8c1e-9d4a-4c6b-8e2f-1a7b9c3d5e60"
PRIVATE_KEY = "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA" + "q8Zt4Lm2" * 8 + "\n-----END RSA PRIVATE KEY-----"
BEDROCK_LONG = "ABSKQmVkcm9ja0FQSUtleS" + "1hYmMxMjM0NTY3ODkw" * 6
BEDROCK_SHORT = "bedrock-api-key-YmVkcm9jay5hbWF6b25hd3MuY29tLz9BY3Rpb249Q2FsbFdpdGhCZWFyZXJUb2tlbg=="

#: (value, detector, AI provider, public prefix shown in the fingerprint, severity, field name)
KEY_FORMATS = [
    (fake_key("sk-proj-"), "openai-api-key", "OpenAI", "sk-proj-", "high", ""),
    (fake_key("sk-svcacct-"), "openai-api-key", "OpenAI", "sk-svcacct-", "high", ""),
    (fake_key("sk-admin-"), "openai-admin-key", "OpenAI", "sk-admin-", "critical", ""),
    ("sk-" + "A1b2C3d4E5f6G7h8I9j0" + "T3BlbkFJ" + "K1l2M3n4O5p6Q7r8S9t0", "openai-api-key", "OpenAI", "sk-", "high", ""),
    (fake_key("sk-", times=6), "openai-api-key", "OpenAI", "sk-", "high", ""),
    (fake_key("sk-ant-api03-", times=11) + "AA", "anthropic-api-key", "Anthropic", "sk-ant-", "high", ""),
    (fake_key("sk-ant-admin01-", times=11) + "AA", "anthropic-admin-key", "Anthropic", "sk-ant-admin01-", "critical", ""),
    (fake_key("hf_", times=4), "huggingface-token", "Hugging Face", "hf_", "high", ""),
    ("api_org_" + "AbCdEfGhIjKlMnOpQrStUvWxYzAbCdEfGh", "huggingface-org-token", "Hugging Face", "api_org_", "high", ""),
    (fake_key("AIza", times=4) + "x_z", "google-api-key", "Google Gemini / Vertex AI", "AIza", "high", ""),
    (BEDROCK_LONG, "aws-bedrock-api-key", "Amazon Bedrock", "ABSK", "high", ""),
    (BEDROCK_SHORT, "aws-bedrock-short-term-key", "Amazon Bedrock", "bedrock-api-key-", "high", ""),
    (fake_key("gsk_"), "groq-api-key", "Groq", "gsk_", "high", ""),
    ("r8_" + "A1b2C3d4-_" * 3 + "E5f6G7h", "replicate-api-token", "Replicate", "r8_", "high", ""),
    (fake_key("pcsk_"), "pinecone-api-key", "Pinecone", "pcsk_", "high", ""),
    ("lsv2_pt_" + HEX * 4 + "_" + HEX + "e5", "langsmith-api-key", "LangSmith / LangChain", "lsv2_", "high", ""),
    (fake_key("pplx-"), "perplexity-api-key", "Perplexity", "pplx-", "high", ""),
    ("xai-" + "A1b2_C3d4E" * 8, "xai-api-key", "xAI", "xai-", "high", ""),
    ("sk-" + HEX * 4, "deepseek-api-key", "DeepSeek", "sk-", "high", "DEEPSEEK_API_KEY"),
    ("sk_" + HEX * 6, "elevenlabs-api-key", "ElevenLabs", "sk_", "high", "xi-api-key"),
    ("sk-lf-" + UUID, "langfuse-secret-key", "Langfuse", "sk-lf-", "high", ""),
    ("sk-or-v1-" + HEX * 8, "openrouter-api-key", "OpenRouter", "sk-or-v1-", "high", ""),
    ("sk-or-mgmt-" + HEX * 8, "openrouter-management-key", "OpenRouter", "sk-or-mgmt-", "critical", ""),
    (fake_key("AKIA", "Q7W8E9R0", 2), "aws-access-key-id", None, "AKIA", "high", ""),
    (fake_key("ASIA", "Q7W8E9R0", 2), "aws-access-key-id", None, "ASIA", "high", ""),
    (fake_key("ghp_", times=5), "github-token", None, "ghp_", "high", ""),
    (fake_key("github_pat_", times=8), "github-token", None, "", "high", ""),
    ("xoxb-" + "1234567890-" + "A1b2C3d4" * 2, "slack-token", None, "", "high", ""),
    (fake_key("sk_live_", times=3), "stripe-secret-key", None, "", "high", ""),
    (PRIVATE_KEY, "private-key", None, "", "critical", ""),
]
IDS = [f"{row[1]}:{row[3]}" for row in KEY_FORMATS]

#: (value, field name, why it is no key of its format)
NEAR_MISSES = [
    (fake_key("sk-proj-", times=2)[:27], "", "openai project key too short"),
    ("sk-" + "A1b2C3d4" * 8, "", "openai legacy key too long (64)"),
    ("sk-ant-api03-" + "A1b2C3d4!" * 3, "", "anthropic key with a character outside its alphabet"),
    ("api_org_" + "AbCdEfGhIjKlMnOpQrStUvWxYzAbCdEf1h", "", "hugging face org token with a digit"),
    ("api_org_" + "AbCdEfGhIjKlMnOpQrStUvWxYzAbCdEf", "", "hugging face org token of 32 letters"),
    ("AIza" + "A1b2C3d4" * 4, "", "google api key of 32 characters"),
    ("ABSKQmVkcm9ja0FQSUtleS" + "1hYmMx", "", "bedrock long-term key too short"),
    ("ABSK" + "QmFzZTY0QmFzZTY0" * 8, "", "ABSK with base64 of something else"),
    ("bedrock-api-key-" + "c3RzLmFtYXpvbmF3cy5jb20vP0FjdGlvbj0=", "", "short-term key for another host"),
    ("r8_" + "A1b2C3d4E5" * 3 + "F6G7H8", "", "replicate token of 36 characters"),
    ("r8_" + "A1b2C3d4E5" * 3 + "F6G7H8I9", "", "replicate token of 38 characters"),
    ("xai-" + "A1b2C3d4E5" * 7 + "F6G7H8I9", "", "xai key of 78 characters"),
    ("xai-" + "A1b2C3d4E5" * 4, "", "xai key of 40 characters"),
    ("sk-" + HEX * 4, "api_key", "deepseek shape where nothing names deepseek"),
    ("sk-" + HEX * 4, "", "deepseek shape with no field name"),
    ("sk_" + HEX * 6, "api_key", "elevenlabs shape where nothing names elevenlabs"),
    ("sk-" + "a1b2c3d4" * 3 + "a1b2c3dZ", "DEEPSEEK_API_KEY", "deepseek key with a non-hex character"),
    ("sk-lf-" + UUID[:-1], "", "langfuse key with a short uuid"),
    ("pk-lf-" + UUID, "langfuse_public_key", "langfuse public key: no secret"),
    ("sk-or-v1-" + HEX * 7, "", "openrouter key of 56 hex digits"),
    ("sk-or-v1-" + "A1B2C3D4" * 8, "", "openrouter key in upper case"),
    ("AKIA" + "q7w8e9r0q7w8e9r0", "", "aws key id in lower case"),
    ("ghp_" + "A1b2C3d4" * 4, "", "github token too short"),
    ("sk-proj-" + "x" * 40, "api_key", "placeholder"),
    ("sk-ant-api03-" + "xxxx" * 10, "api_key", "placeholder"),
]


def test_the_table_covers_every_key_format_of_the_vocabulary():
    assert {row[1] for row in KEY_FORMATS} == {f.detector for f in vocabulary().key_formats}


@pytest.mark.parametrize(("value", "detector", "provider", "prefix", "severity", "field"), KEY_FORMATS, ids=IDS)
def test_known_key_format_is_detected_as_a_whole_value(value, detector, provider, prefix, severity, field):
    detection = detect(value, field or "description")
    assert detection is not None
    assert (detection.detector, detection.ai_provider, detection.severity) == (detector, provider, severity)
    assert detection.fingerprint == expected_fingerprint(value, prefix)
    assert value not in detection.fingerprint and value[len(prefix):][:-4] not in detection.fingerprint
    assert detection.title


@pytest.mark.parametrize(("value", "detector", "provider", "prefix", "severity", "field"), KEY_FORMATS, ids=IDS)
def test_known_key_format_is_found_inside_a_text_with_its_line(value, detector, provider, prefix, severity, field):
    keyword = f"# {field}\n" if field else ""
    text = f"#!/bin/bash\n{keyword}export SOME_KEY='{value}'\necho done\n"
    [found] = find_keys(text)
    assert found.detection.detector == detector
    assert text[found.start : found.end] == value
    assert found.line == (3 if field else 2)
    assert found.detection.fingerprint == expected_fingerprint(value, prefix)


@pytest.mark.parametrize(("value", "detector", "provider", "prefix", "severity", "field"), KEY_FORMATS, ids=IDS)
def test_redaction_hides_every_format_inside_a_string(value, detector, provider, prefix, severity, field):
    text = f"module.x.aws_secret.a[\"{value}\"]"
    cleaned = redact(text)
    assert value not in cleaned
    # A block (PEM) is redacted to the end of the string: what follows its header may all be key.
    hidden = text[text.index(value) :] if detector == "private-key" else value
    assert expected_fingerprint(hidden, prefix) in cleaned


@pytest.mark.parametrize(("value", "field", "why"), NEAR_MISSES, ids=[row[2] for row in NEAR_MISSES])
def test_a_near_miss_is_no_key(value, field, why):
    detection = detect(value, field)
    assert detection is None or detection.detector == "high-entropy-secret", why
    assert find_keys(f"KEY={value}\n", field) == [], why


@pytest.mark.parametrize(
    "text",
    [
        "ask-proj-" + "A1b2C3d4" * 6,  # a longer token ending in a key's prefix
        "xAKIAQ7W8E9R0Q7W8E9R0",
        "AKIAQ7W8E9R0Q7W8E9R0X",
        "r8_" + "A1b2C3d4E5" * 3 + "F6G7H8I" + "-more",
        "deepseek: sk-" + HEX * 4 + "ff",
        "xai-" + "A1b2_C3d4E" * 8 + "_x",
    ],
)
def test_a_key_inside_a_longer_token_is_not_found_in_text(text):
    assert find_keys(text) == []
