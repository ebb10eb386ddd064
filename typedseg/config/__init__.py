"""Pydantic models for every setting of a typedseg experiment. Importing this package never imports torch."""
