"""Infrastructure every stage uses and that knows nothing of credentials: bounded file reads, safe YAML,
JSON Schema validation, RE2 patterns, private folders and the sealed (encrypted, signed) store."""
