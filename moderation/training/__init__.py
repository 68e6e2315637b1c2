"""Training data from a site's own judgements, in the CSV `python -m ml train --extra` reads."""
