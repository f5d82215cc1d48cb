"""User data <-> tensors: loading files and encoding tables."""
