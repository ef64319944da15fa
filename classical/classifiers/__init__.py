"""classical.classifiers."""
