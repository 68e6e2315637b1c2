"""Authors: trusted authors, and bans by email, email domain, IP address or IP network."""
