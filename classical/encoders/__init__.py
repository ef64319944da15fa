"""Encoders: vocabularies, bag of words, VLAD, Fisher vectors, normalisation."""

from ._bovw import BagOfVisualWords
from ._fisher import FisherVectorEncoder, fisher_vector
from ._power import PowerNormalizer, power_normalize
from ._pyramid import SpatialPyramid
from ._streaming import LocalFeatureEncoder
from ._vlad import VLADEncoder, vlad_encode
from ._vocabulary import VisualVocabulary

__all__ = [
    "BagOfVisualWords",
    "FisherVectorEncoder",
    "LocalFeatureEncoder",
    "PowerNormalizer",
    "SpatialPyramid",
    "VLADEncoder",
    "VisualVocabulary",
    "fisher_vector",
    "power_normalize",
    "vlad_encode",
]
