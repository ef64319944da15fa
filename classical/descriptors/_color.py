"""Placeholder until this module lands."""

color_histogram = None
color_moments = None
ColorHistogramExtractor = None
ColorMomentsExtractor = None
