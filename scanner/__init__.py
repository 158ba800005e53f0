"""Rollcall: a governance audit and policy-compliance scanner for social media accounts."""

__version__ = "0.1.0"

__all__ = ["__version__"]
