"""The `typedseg` command line (installed as the `typedseg.cli` package)."""
