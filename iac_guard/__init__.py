"""iac-guard: a policy-as-code linter for the AI service credentials defined in Terraform and Kubernetes."""

__version__ = "0.1.0"
