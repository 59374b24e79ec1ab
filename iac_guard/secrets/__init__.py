"""Recognising secret values (key formats, entropy, AI vocabulary) and keeping them out of every output.

Lowest first: ``vocabulary`` (the data file), ``values`` (placeholders, references, names),
``formats`` (the key formats compiled for a whole value, a text and redaction), ``detect`` (a whole
value; fingerprints; ``redact``), ``text`` (keys and connection-string passwords inside a longer
string, with their lines), ``literal`` (any literal in a field named for a secret, for
``--scope all``), ``redact`` (whole records).
"""
