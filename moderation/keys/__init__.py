"""Site keys: the public widget key and the secret keys for server-to-server calls."""
