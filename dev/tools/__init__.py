"""The pinned tool build and the repository's checks (role README tables, sanity)."""
