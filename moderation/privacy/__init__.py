"""Privacy: how long addresses are kept, and an author's data exported or erased on request."""
