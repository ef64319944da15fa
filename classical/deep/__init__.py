"""classical.deep."""
