"""The policy gate: Checkov on the resource graphs (bridge to Terraform plan JSON and manifests, verdict, reports)."""
