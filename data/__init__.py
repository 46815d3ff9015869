"""Storage, importers, and bundled reference and demo data."""
