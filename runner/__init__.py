"""saksrobot's engine: runs robot definitions over cases, rules and letter templates."""

__version__ = "0.1.0"

__all__ = ["__version__"]
