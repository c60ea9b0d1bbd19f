"""monitor's test suite.

``PROJECT_ROOT`` is the checkout the suite runs from: tests may read the repository's own
files (seeds/, tests/data, docs/). The package itself never does: it reads its data through
monitor.resources, which tests/packaging checks.
"""

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
