"""Placeholder until this module lands."""

hog = None
HOGExtractor = None
