"""Literal secrets whatever their entropy where the field says so (secrets.literal, for ``--scope
all``), and the false positives seen on real repositories, each a regression test of ``detect``
and of the literal rule."""

from __future__ import annotations

import pytest
from conftest import expected_fingerprint, fake_key

from iac_guard.secrets.detect import detect
from iac_guard.secrets.literal import literal_secret, names_a_secret

PRIVATE_KEY = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("password", "root"),
        ("admin_password", "P@ssw0rd"),
        ("administrator_login_password", "Password123"),
        ("secret", "hunter2"),
        ("client_secret", "abc"),
        ("token", "letmein"),
        ("api_key", "12345"),
        ("private_key", "mykey"),
        ("DB_PASSWORD", "postgres"),
        ("dbPassword", "my-db-password"),
        ("MYSQL_ROOT_PASSWORD", "root"),
    ],
)
def test_a_literal_in_a_field_named_for_a_secret_is_a_secret_at_any_entropy(field, value):
    assert detect(value, field) is None  # too plain for the entropy rule
    detection = literal_secret(value, field)
    assert detection is not None
    assert (detection.detector, detection.fingerprint) == ("literal-secret", expected_fingerprint(value))


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("password", "changeme"),
        ("password", "${var.db_password}"),
        ("password", "$DB_PASSWORD"),
        ("password", "{{ .Values.password }}"),
        ("password", ""),
        ("secret", "false"),
        ("token", "auto"),
        ("api_key", "arn:aws:secretsmanager:us-east-1:123456789012:secret:openai"),
        ("client_secret", "projects/acme/secrets/openai/versions/latest"),
        ("token", "https://vault.internal:8200/v1/auth/token"),
        ("huggingface_artifact_secret", "huggingface-secrets"),
        ("key", "cloud.google.com/gke-preemptible"),
        ("key", "dedicated"),
        ("secret_name", "openai-key"),
        ("password_length", "16"),
        ("kms_key_id", "alias/openai"),
        ("description", "root"),
    ],
)
def test_placeholders_references_settings_and_names_are_not_literal_secrets(field, value):
    assert literal_secret(value, field) is None


@pytest.mark.parametrize(
    ("name", "secret"),
    [
        ("password", True), ("admin_password", True), ("api_key", True), ("private_key", True), ("client_secret", True),
        ("OPENAI_TOKEN", True), ("key", False), ("key_name", False), ("secret_arn", False), ("label_key", False),
        ("ssh_public_key", False),
    ],
)
def test_which_field_names_say_they_hold_a_secret(name, secret):
    assert names_a_secret(name) is secret


def test_a_known_format_keeps_its_own_detector():
    key = fake_key("sk-proj-")
    assert literal_secret(key, "description").detector == "openai-api-key"


def test_a_private_key_block_is_a_secret_in_any_field_and_inside_a_value():
    assert literal_secret(PRIVATE_KEY, "content").detector == "private-key"
    assert literal_secret(f"#cloud-config\nwrite_files:\n  - content: |\n{PRIVATE_KEY}\n", "user_data").detector == "private-key"


@pytest.mark.parametrize(
    ("field", "value", "password"),
    [
        ("connection_string", "Server=db;Database=orders;User Id=app;Password=root;", "root"),
        ("DATABASE_URL", "postgres://app:s3cr3t@db.internal/orders", "s3cr3t"),
        ("primary_connection_string", "Server=tcp:x.database.windows.net;Password=Zt4#qL9v!Rw2@Xp7$Nk5;", "Zt4#qL9v!Rw2@Xp7$Nk5"),
    ],
)
def test_a_connection_string_is_fingerprinted_as_its_password_only(field, value, password):
    detection = literal_secret(value, field)
    assert detection is not None
    assert (detection.detector, detection.fingerprint) == ("connection-string-password", expected_fingerprint(password))


def test_a_connection_string_without_a_password_is_no_secret():
    assert literal_secret("Server=db;Database=orders;Integrated Security=SSPI;", "connection_string") is None


# False positives seen on real repositories: detect() must stay quiet, at every scope.


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("huggingface_artifact_secret", "huggingface-secrets"),
        ("key", "cloud.google.com/gke-preemptible"),
        ("key", "kubernetes.io/arch"),
        ("openai_secret", "openai-api-credentials"),
        ("model_token", "anthropic.claude-3-5-sonnet-20240620-v1:0"),
        ("endpoint_secret", "https://my-openai.openai.azure.com/"),
    ],
)
def test_names_labels_model_ids_and_endpoints_in_secret_named_fields_are_not_secrets(field, value):
    assert detect(value, field) is None
    assert literal_secret(value, field) is None


def test_a_random_value_in_a_secret_field_is_still_a_secret():
    """The name rule spares names, not random strings: an AWS secret key with slashes stays one."""
    assert detect("wJalrXUtnFEMI/K7MDENG/bPxRfiCYzQ8vLk2RwT", "secret_key").detector == "high-entropy-secret"
    assert detect("3f2b8c1e-9d4a-4c6b-8e2f-1a7b9c3d5e60", "api_token") is not None
