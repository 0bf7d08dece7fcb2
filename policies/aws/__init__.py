"""AWS checks: Python checks on Terraform (plan) resources and YAML graph policies (``scope.provider: aws``)."""
