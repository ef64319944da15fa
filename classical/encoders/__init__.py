"""Encoders: visual vocabularies, bag of visual words, VLAD, and normalisation."""

from ._bovw import BagOfVisualWords
from ._power import PowerNormalizer, power_normalize
from ._vlad import VLADEncoder, vlad_encode
from ._vocabulary import VisualVocabulary

__all__ = [
    "BagOfVisualWords",
    "PowerNormalizer",
    "VLADEncoder",
    "VisualVocabulary",
    "power_normalize",
    "vlad_encode",
]
