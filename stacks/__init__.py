"""The Pulumi program: composes platformkit components into one environment per stack."""
