"""Recognising secret values (key formats, entropy, AI vocabulary) and keeping them out of every output."""
