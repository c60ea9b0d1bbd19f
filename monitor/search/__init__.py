"""Searching the archive of stories with the stored-query language: index candidates, the
exact evaluator, facets and exports. Shared by the workspace's Search page and the API."""
