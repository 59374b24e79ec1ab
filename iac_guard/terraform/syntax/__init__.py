"""HCL and Terraform JSON as syntax trees: the grammar, the node classes, templates, plans."""
