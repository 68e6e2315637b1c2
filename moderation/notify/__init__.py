"""Publisher notifications: moderator emails, commenter subscriptions and signed webhooks."""
