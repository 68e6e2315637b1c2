"""The reader's side: sites' allowed origins, articles by their own ids, the widget and its API."""
