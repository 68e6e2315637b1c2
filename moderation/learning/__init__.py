"""Models that learn from their moderators: labels, gated retraining per site, shadow trials,
thresholds from a target and the dashboard."""
