"""The scan as one sequence (load, recognise, inventory, judge, filter) and the cache of its answers."""
