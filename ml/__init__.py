"""Spam and toxicity models for comment moderation (no Django imports here)."""

from ml.model import MODEL_NAMES, Contribution, Model, ModelLoadError, load_model

__all__ = ["MODEL_NAMES", "Contribution", "Model", "ModelLoadError", "load_model"]
