"""classical.geo."""
