"""Tests of monitor.matching: classifier, query language, stored-query matcher."""
