"""Kubernetes checks: Python checks on manifests."""
