"""Seed data, shipped inside the package as ``monitor._seeds`` (see monitor/resources.py):
the topic definition, the default feed list, the fixture feeds and sample subscribers."""
