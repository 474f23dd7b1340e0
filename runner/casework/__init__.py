"""Keeping runs safe: the per-robot run lock, crash clean-up and re-submitting cases."""
