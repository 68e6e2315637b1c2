"""The moderators' review desk: a keyboard-driven queue page in the admin, and its JSON actions."""
