"""_timetravel."""
