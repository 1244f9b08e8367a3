"""NSAI: the National Spatial Address Infrastructure."""

__version__ = "0.1.0"
