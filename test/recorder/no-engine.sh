#!/bin/sh
# Stands in for the dagger CLI in test processes (guard.ts points the SDK's
# _EXPERIMENTAL_DAGGER_CLI_BIN here), so the SDK never downloads or starts an engine.
# It prints one JSON line without a port: the SDK then fails at once with
# "invalid connect params: {...refused...}". Exit 0 on purpose: a non-zero exit
# would surface in the SDK as an unhandled rejection instead of that message.
printf '%s\n' '{"refused":"test/recorder: starting a Dagger engine is forbidden in tests; run the code under record()"}'
