"""Accord: alignment and clinician-executive trust for health systems."""

__version__ = "0.1.0"
