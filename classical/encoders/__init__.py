"""classical.encoders."""
