"""Joining the recognizers' records into the credential inventory and judging which credentials are AI."""
