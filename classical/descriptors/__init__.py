"""classical.descriptors."""
