# shellcheck shell=bash
# Shell helpers shared by the integration suites. Source it after defining log().

# Sends SIGTERM and waits (bounded) for the process to exit; SIGKILL after the timeout.
# Sets STOPPED_RC to the exit status of the process (meaningful for children of this shell).
# shellcheck disable=SC2034 # read by the sourcing script (graceful-shutdown check)
STOPPED_RC=0
stop_process() {
  local name="$1" pid="$2" timeout="${3:-15}"
  STOPPED_RC=0
  [[ -n "$pid" ]] || return 0
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    local waited=0
    while kill -0 "$pid" 2>/dev/null && ((waited < timeout * 10)); do
      sleep 0.1
      waited=$((waited + 1))
    done
    if kill -0 "$pid" 2>/dev/null; then
      log "$name (pid $pid) did not stop within ${timeout}s after SIGTERM, killing it"
      kill -KILL "$pid" 2>/dev/null || true
    fi
  fi
  wait "$pid" 2>/dev/null || STOPPED_RC=$?
}
