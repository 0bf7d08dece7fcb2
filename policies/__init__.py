"""The organisation's own checks: Checkov checks in aws/ and kubernetes/, a gate-run relation check; see README.md."""
