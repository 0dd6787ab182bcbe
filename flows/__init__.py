"""The newsflow Prefect flow and its command line.

Set before Prefect or Great Expectations are imported: no telemetry, and a start-up timeout
long enough for Prefect's temporary API server on a fresh machine (~25 s here).
"""

import os
import time

# When the command line started: its run's start-up phase (imports, model, Prefect's API) counts from here.
STARTED = time.time()

for _name, _value in {
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",
    "DO_NOT_TRACK": "1",
    "GX_ANALYTICS_ENABLED": "false",
    "OPENBLAS_NUM_THREADS": "1",
}.items():
    os.environ.setdefault(_name, _value)
