"""Exit codes, the contract CI systems rely on."""

EXIT_CLEAN = 0  # nothing failing
EXIT_FINDINGS = 1  # at least one failing finding
EXIT_ERROR = 2  # usage, config, policy or parse error: fail closed
EXIT_INTERRUPTED = 130  # SIGINT (Ctrl-C), as shells report it: never mistaken for findings
