"""classical.datasets."""
