"""Fetching: polite crawls of government sites into a content-addressed archive."""
