"""The settings a scan runs with: the config file, its schema, and what it weakens."""
