"""The Kubernetes recognizer: manifests read as YAML, and the objects Terraform's kubernetes provider creates."""
