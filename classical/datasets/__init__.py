"""Loading image datasets: a folder per class, or the sample shipped inside."""

from ._folder import ImageDataset, list_image_files, load_folder, load_images
from ._read import ImageLoadError, ImageLoadWarning, read_image
from ._samples import load_sample, sample_path

__all__ = [
    "ImageDataset",
    "ImageLoadError",
    "ImageLoadWarning",
    "list_image_files",
    "load_folder",
    "load_images",
    "load_sample",
    "read_image",
    "sample_path",
]
