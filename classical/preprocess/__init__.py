"""Image-to-image steps: resizing and colour conversion."""

from ._color import ConvertColor, Grayscale, convert_color, to_grayscale
from ._resize import Resize, resize

__all__ = [
    "resize",
    "Resize",
    "to_grayscale",
    "Grayscale",
    "convert_color",
    "ConvertColor",
]
