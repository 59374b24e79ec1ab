"""Readers for the files an application carries its keys in: container builds (Dockerfile,
Containerfile), Compose files, committed ``.env`` files and Jupyter notebooks.

Each reader turns text into small records with lines and knows nothing of credentials; the
recognizers in ``providers.containers`` judge them.
"""
