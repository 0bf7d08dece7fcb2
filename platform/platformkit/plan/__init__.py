"""Rendering a resource graph as a readable plan."""
