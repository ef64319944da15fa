"""Loading image datasets: a folder per class, or the sample shipped inside."""

from ._folder import ImageDataset, list_image_files, load_folder, load_images
from ._multilabel import MultiLabelDataset, load_multilabel
from ._read import ImageLoadError, ImageLoadWarning, read_image
from ._samples import load_sample, sample_path

__all__ = [
    "ImageDataset",
    "ImageLoadError",
    "ImageLoadWarning",
    "MultiLabelDataset",
    "list_image_files",
    "load_folder",
    "load_images",
    "load_multilabel",
    "load_sample",
    "read_image",
    "sample_path",
]
