"""Suites in the window: a dataset through 1 to 6 targets with checks, a live table, a sweep."""
