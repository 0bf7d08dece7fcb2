"""The ``platform`` command: the front door to plan, parity and (later) policy, secrets, runbooks."""
