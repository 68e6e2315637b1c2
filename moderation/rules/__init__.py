"""Per-site house rules beside the models: their settings, and what they remember of comments."""
