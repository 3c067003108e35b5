"""_domain."""
