"""A drop-in replacement for Google's Perspective Comment Analyzer API (v1alpha1), run locally."""
