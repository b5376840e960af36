"""Collectors: they know HTTP and formats, never Flask or the database."""
