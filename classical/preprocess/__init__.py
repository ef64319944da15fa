"""Image-to-image steps: resizing, colour conversion and augmentation."""

from ._augment import RandomAugment, d4
from ._color import ConvertColor, Grayscale, convert_color, to_grayscale
from ._resize import Resize, resize

__all__ = [
    "resize",
    "Resize",
    "to_grayscale",
    "Grayscale",
    "convert_color",
    "ConvertColor",
    "d4",
    "RandomAugment",
]
