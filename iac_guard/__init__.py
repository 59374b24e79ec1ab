"""iac-guard: a policy-as-code linter for the AI service credentials defined in Terraform and Kubernetes."""

__version__ = "0.1.0"

#: Where the project, its documentation and its policy reference live (SARIF informationUri, rule help).
HOMEPAGE = "https://github.com/iac-guard/iac-guard"
