"""One module per flow file; each exposes ``spec() -> FileSpec``."""
