"""monitor: a media-monitoring stream processor.

Data flows feeds → stream → matching → store → notify; each stage is a subpackage.
"""

__version__ = "0.1.0"
