"""Benchmarks of the decision stage: rejection, novelty and calibration."""
