"""`python -m newsflow.flows.cli`: the `newsflow` command."""

from newsflow.flows.cli import entry

entry()
