"""Conventions shared by the recognizers of every cloud, one topic a module: the view of a root
module (root_modules), owners (owners), durations and dates (time_values), lifetimes (lifetimes),
rotation schedules (rotation), the resource an attribute points at (links), the values written in
a resource (literals), and the environment entries of compute resources (environment)."""
