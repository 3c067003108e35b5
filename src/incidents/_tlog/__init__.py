"""_tlog."""
