"""Data files shipped with the package (the AI vocabulary, the config schema)."""
