"""Benchmarks of the running service (`python manage.py bench`), one suite per capability."""
