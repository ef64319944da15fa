"""Encoders: turn descriptors into fixed-length vectors, and normalise them."""

from ._power import PowerNormalizer, power_normalize

__all__ = ["PowerNormalizer", "power_normalize"]
