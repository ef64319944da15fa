"""Placeholder until this module lands."""

local_binary_pattern = None
lbp_histogram = None
LBPExtractor = None
