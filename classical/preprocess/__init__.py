"""classical.preprocess."""
