"""Splitting a scan across CI jobs and merging the shards' reports back into one judgement."""
