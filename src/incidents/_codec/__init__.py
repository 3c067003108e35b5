"""_codec."""
