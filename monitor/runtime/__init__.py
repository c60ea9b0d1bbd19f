"""What keeps the daemon running, apart from any stage: the supervisor of `monitor run`,
each role's entry point, heartbeats, process facts and the tests' crash points."""
