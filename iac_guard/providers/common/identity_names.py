"""Names one recognizer's records are reached by from another's, when neither knows the other's
addresses: a pod in YAML runs as an IAM role defined in a Terraform root module.

The declaring recognizer gives its credential these names as aliases; the using one names them
in its usages; the inventory joins the two (inventory/build.py). A name no credential declares
reaches nothing, so a recognizer may name it whenever the link is possible.
"""

from __future__ import annotations

#: ``aws-iam-role:NAME``: the role an EKS ServiceAccount's ``eks.amazonaws.com/role-arn`` names.
AWS_ROLE = "aws-iam-role:"
#: ``eks-service-account:NS/NAME``: the role a ServiceAccount's pods get through IRSA's trust
#: policy or an EKS Pod Identity association.
EKS_SERVICE_ACCOUNT = "eks-service-account:"
