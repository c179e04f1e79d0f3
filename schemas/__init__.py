"""The published JSON Schema of the form language, shipped as package data."""
