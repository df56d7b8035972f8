"""Bulk-load LMS extractor CSV trees into raw tables."""

__version__ = "0.1.0"
