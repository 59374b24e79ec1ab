"""What decides which findings fail the gate: diff scope, suppressions, the baseline, trust in the config."""
