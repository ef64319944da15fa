"""Image datasets: loading a folder per class or the shipped sample, and checking it."""

from ._folder import ImageDataset, list_image_files, load_folder, load_images
from ._inspect import inspect, kept_paths
from ._inspect_report import inspect_markdown, save_inspect_json, save_inspect_report
from ._multilabel import MultiLabelDataset, load_multilabel
from ._read import ImageLoadError, ImageLoadWarning, read_image
from ._samples import load_sample, sample_path

__all__ = [
    "ImageDataset",
    "ImageLoadError",
    "ImageLoadWarning",
    "MultiLabelDataset",
    "inspect",
    "inspect_markdown",
    "kept_paths",
    "list_image_files",
    "load_folder",
    "load_images",
    "load_multilabel",
    "load_sample",
    "read_image",
    "sample_path",
    "save_inspect_json",
    "save_inspect_report",
]
