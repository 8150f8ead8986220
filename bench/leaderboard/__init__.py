"""Comparing searchers: quality indicators (and, later, the runner and reports)."""
