"""Open data: OCDS 1.1 releases and records of every contracting process, and the change feed."""
