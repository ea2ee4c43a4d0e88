/**
 * The deploy artefact of a Compose environment: a POSIX shell script that applies the
 * environment's compose.yaml on a Docker host through an SSH Docker context. Generated text with
 * every value from pipeline.yaml shell-quoted; run by the deploy stage in the docker CLI image and,
 * for real, by the ssh-deploy integration suite against a loopback sshd and a local engine.
 *
 * What it does, in order: writes known_hosts from the config (StrictHostKeyChecking yes, no
 * other key accepted), connects, creates the project directory on the host and copies the
 * Compose file and the flags file there, creates the SSH Docker context, `compose pull`,
 * `compose up -d --remove-orphans`, then polls every container of the project until each is
 * healthy, running (no health check) or done (a one-shot job that exited 0), within the timeout.
 *
 * Compose interpolates on the client: the host's `.env` beside the Compose file (the database
 * password, the published port: secrets the GitOps repository never holds) is read over SSH into
 * a file only this run can read, never printed, and passed with `--env-file` together with the
 * flags. `up --wait` is not used: it fails or hangs on one-shot jobs in some Compose versions
 * (docker/compose#10596), and `compose ps --format json` changed shape in 2.21; `docker inspect`
 * templates are the same in every version.
 *
 * Output: one JSON object per line on stdout (events: step, output, service, log, result; see
 * deploy/result.ts), exit 0 when every service is up, 1 when the deploy failed, 2 on bad usage.
 */
import { knownEnvironment } from "../plan/plan.js";
import type { SshDeploy } from "../config/operations.js";
import type { PipelineConfig } from "../config/schema.js";
import { InputError, quoted } from "../errors.js";
import { deploymentFiles, flagsFile } from "../release/files.js";

/** What the script is generated from: the environment's deploy section and its file names. */
export interface ComposeSshTarget {
  /** pipeline.yaml's name (the default project is <name>-<environment>). */
  application: string;
  environment: string;
  deploy: SshDeploy;
  /** The Compose file's name in the environment's folder, e.g. compose.yaml. */
  composeFile: string;
  /** The flags env file's name, when the environment has flags (feature-flags.env). */
  flagsFile?: string;
}

/** A word the shell takes literally: single-quoted, each ' written as '\''. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** Compose's rule for project names. */
const PROJECT = /^[a-z0-9][a-z0-9_-]*$/;
/** A file name in the environment's folder (no path, nothing the remote shell or ssh_config would read as syntax). */
const FILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** The Compose project name: deploy.project, or <name>-<environment> made a valid project name. */
export function composeProjectName(application: string, environment: string, deploy: SshDeploy): string {
  if (deploy.project !== undefined) return deploy.project;
  const derived = `${application}-${environment}`
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, "-")
    .replace(/^[^a-z0-9]+/, "");
  if (!PROJECT.test(derived))
    throw new InputError(
      `environments.${environment}.deploy.project: none set, and ${quoted(`${application}-${environment}`)} does not make a Compose project name; set project (lowercase letters, digits, '_' and '-')`,
    );
  return derived;
}

/** The Docker context the script creates (in its own throwaway config directory). */
const contextName = (project: string) => `pac-deploy-${project}`;

/** ssh://user@host:port, as `docker context create --docker host=` takes it (an IPv6 address is already in brackets). */
const sshUrl = (deploy: SshDeploy) => `ssh://${deploy.user}@${deploy.host}:${deploy.port}`;

/** The generated script (POSIX sh; needs docker with the compose plugin, ssh, and the usual text tools). Run as: sh deploy.sh <folder> <private key>. */
export function composeSshScript(target: ComposeSshTarget): string {
  const { deploy, environment } = target;
  for (const [field, name] of [
    ["file", target.composeFile],
    ["flags file", target.flagsFile],
  ] as const) {
    if (name !== undefined && !FILE_NAME.test(name)) throw new InputError(`environments.${environment}: the ${field} ${quoted(name)} is not a plain file name (letters, digits, '.', '_', '-')`);
  }
  const project = composeProjectName(target.application, environment, deploy);
  const dir = deploy.directory.replace(/\/+$/, "") || "/";
  const remote = (file: string) => shellQuote(`${dir}/${file}`);
  // Remote commands are one string the login shell on the host parses: every path in it is quoted for that shell too.
  const copyCommand = (file: string) => `cat > ${remote(`.${file}.pac-tmp`)} && mv -f ${remote(`.${file}.pac-tmp`)} ${remote(file)}`;
  const values: [string, string][] = [
    ["ENVIRONMENT", environment],
    ["HOST", deploy.host],
    ["PORT", String(deploy.port)],
    ["SSH_USER", deploy.user],
    ["DIRECTORY", dir],
    ["PROJECT", project],
    ["CONTEXT", contextName(project)],
    ["DOCKER_URL", sshUrl(deploy)],
    ["TIMEOUT", String(deploy.timeout)],
    ["COMPOSE_FILE", target.composeFile],
    ["FLAGS_FILE", target.flagsFile ?? ""],
    ["KNOWN_HOSTS", knownHostsFile(deploy.knownHosts, deploy.port)],
    ["REMOTE_MKDIR", `mkdir -p -- ${shellQuote(dir)}`],
    ["REMOTE_COPY_COMPOSE", copyCommand(target.composeFile)],
    ["REMOTE_COPY_FLAGS", target.flagsFile ? copyCommand(target.flagsFile) : ""],
    ["REMOTE_READ_ENV", `if [ -f ${remote(".env")} ]; then cat ${remote(".env")}; fi`],
  ];
  return `#!/bin/sh
# Generated by pipeline-as-code: deploy ${oneLine(target.application)} to ${oneLine(environment)} (Docker Compose over SSH, ${oneLine(sshUrl(deploy))}).
# Usage: sh deploy.sh <folder holding ${target.composeFile}${target.flagsFile ? ` and ${target.flagsFile}` : ""}> <private key file>
# Prints one JSON object per line; exit 0: every service up, 1: the deploy failed, 2: bad usage.
set -u
# No globbing: word splitting is used on lists of names and ids, never on patterns.
set -f
umask 077
${values.map(([k, v]) => `${k}=${shellQuote(v)}`).join("\n")}
${BODY}`;
}

/** A value shown in a comment line: no newline can end the comment early. */
const oneLine = (s: string) => s.replace(/[\r\n]+/g, " ");

/** The script's fixed part: it reads only the variables above and its two arguments. */
const BODY = String.raw`
FILES="${"$"}{1:-}"
KEY="${"$"}{2:-}"
WORK=""
MASTER=""

# A JSON string of $1: tabs and line breaks become spaces, other control characters go.
json() {
  printf '"%s"' "$(printf '%s' "$1" | tr '\t\r\n' '   ' | tr -d '[:cntrl:]' | sed -e 's/\\/\\\\/g' -e 's/"/\\"/g')"
}
emit() { printf '%s\n' "$1"; }
step() { emit "{\"event\":\"step\",\"step\":$(json "$1")}"; }

# The last lines of a step's output, as output events.
output_of() {
  [ -f "$2" ] || return 0
  tail -n 25 "$2" | while IFS= read -r line || [ -n "$line" ]; do
    emit "{\"event\":\"output\",\"step\":$(json "$1"),\"line\":$(json "$line")}"
  done
}

# fail STEP MESSAGE [FAILED SERVICES] [EXIT]: the result line, then exit.
fail() {
  failed_json=""
  for s in ${"$"}{3:-}; do failed_json="$failed_json${"$"}{failed_json:+,}$(json "$s")"; done
  emit "{\"event\":\"result\",\"ok\":false,\"project\":$(json "$PROJECT"),\"step\":$(json "$1"),\"failed\":[$failed_json],\"message\":$(json "$2")}"
  exit "${"$"}{4:-1}"
}

cleanup() {
  if [ -n "$MASTER" ]; then ssh -O exit -p "$PORT" -l "$SSH_USER" -- "$HOST" >/dev/null 2>&1 || true; fi
  if [ -n "$WORK" ]; then rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Runs a step's command with its output kept; on failure reports its last lines and fails the deploy.
run() {
  name="$1"
  message="$2"
  shift 2
  if ! "$@" >"$WORK/$name.log" 2>&1; then
    output_of "$name" "$WORK/$name.log"
    fail "$name" "$message"
  fi
}

step inputs
if [ -z "$FILES" ] || [ -z "$KEY" ]; then fail inputs "usage: sh deploy.sh <folder holding $COMPOSE_FILE> <private key file>" "" 2; fi
[ -f "$FILES/$COMPOSE_FILE" ] || fail inputs "$FILES/$COMPOSE_FILE: missing (the environment's Compose file)" "" 2
if [ -n "$FLAGS_FILE" ] && [ ! -f "$FILES/$FLAGS_FILE" ]; then fail inputs "$FILES/$FLAGS_FILE: missing (the environment's flags)" "" 2; fi
[ -r "$KEY" ] || fail inputs "$KEY: the private key file is missing or unreadable" "" 2
case "$KEY" in *'"'* | *'%'* | *'
'*) fail inputs "the private key's path must not hold '\"', '%' or a line break (ssh_config reads them)" "" 2 ;; esac
REAL_SSH="$(command -v ssh || true)"
[ -n "$REAL_SSH" ] || fail inputs "ssh is not installed (openssh-client)" "" 2
command -v docker >/dev/null 2>&1 || fail inputs "docker is not installed (the docker CLI)" "" 2
WORK="$(mktemp -d "${"$"}{TMPDIR:-/tmp}/pac-deploy.XXXXXX")" || fail inputs "cannot create a temporary directory" "" 2

# ssh as docker runs it (ssh -l user -p port -- host docker system dial-stdio), with this run's
# config: docker's SSH contexts take no ssh options, and ssh reads ~/.ssh of the passwd entry, not
# $HOME, so a shim first in PATH adds -F. One master connection carries every session.
mkdir -p "$WORK/bin" "$WORK/docker"
printf '%s' "$KNOWN_HOSTS" >"$WORK/known_hosts"
# OpenSSH refuses a key without its final newline ("error in libcrypto"), as CI secrets often
# store it: a private copy, readable by this user only, ends with one.
( umask 077 && { cat "$KEY"; echo; } >"$WORK/id" ) || fail inputs "$KEY: the private key cannot be copied" "" 2
cat >"$WORK/ssh_config" <<EOF
Host *
  IdentityFile "$WORK/id"
  IdentitiesOnly yes
  IdentityAgent none
  UserKnownHostsFile "$WORK/known_hosts"
  GlobalKnownHostsFile /dev/null
  StrictHostKeyChecking yes
  UpdateHostKeys no
  CheckHostIP no
  BatchMode yes
  PasswordAuthentication no
  KbdInteractiveAuthentication no
  ConnectTimeout 30
  ServerAliveInterval 15
  ServerAliveCountMax 4
  ControlMaster auto
  ControlPath "$WORK/cm-%C"
  ControlPersist 300
  LogLevel ERROR
EOF
cat >"$WORK/bin/ssh" <<EOF
#!/bin/sh
exec "$REAL_SSH" -F "$WORK/ssh_config" "\$@"
EOF
chmod 700 "$WORK/bin/ssh"
PATH="$WORK/bin:$PATH"
# Contexts go into this run's own config; the caller's CLI plugins (compose) stay visible.
PLUGINS="${"$"}{DOCKER_CONFIG:-${"$"}{HOME:-/root}/.docker}/cli-plugins"
printf '{"cliPluginsExtraDirs":[%s]}\n' "$(json "$PLUGINS")" >"$WORK/docker/config.json"
DOCKER_CONFIG="$WORK/docker"
export PATH DOCKER_CONFIG
run inputs "docker compose (the v2 plugin) is not available to the docker CLI" docker compose version

step connect
MASTER=1
run connect "cannot connect to $SSH_USER@$HOST port $PORT with the given key and the configured host key (environments.$ENVIRONMENT.deploy: host, port, user, knownHosts)" ssh -p "$PORT" -l "$SSH_USER" -- "$HOST" true

step copy
run copy "cannot create $DIRECTORY on the host" ssh -p "$PORT" -l "$SSH_USER" -- "$HOST" "$REMOTE_MKDIR"
if ! ssh -p "$PORT" -l "$SSH_USER" -- "$HOST" "$REMOTE_COPY_COMPOSE" <"$FILES/$COMPOSE_FILE" >"$WORK/copy.log" 2>&1; then
  output_of copy "$WORK/copy.log"
  fail copy "cannot write $DIRECTORY/$COMPOSE_FILE on the host"
fi
if [ -n "$FLAGS_FILE" ] && ! ssh -p "$PORT" -l "$SSH_USER" -- "$HOST" "$REMOTE_COPY_FLAGS" <"$FILES/$FLAGS_FILE" >"$WORK/copy.log" 2>&1; then
  output_of copy "$WORK/copy.log"
  fail copy "cannot write $DIRECTORY/$FLAGS_FILE on the host"
fi
# The host's .env (secrets Compose interpolates) into a file only this run reads; never printed.
if ! ssh -p "$PORT" -l "$SSH_USER" -- "$HOST" "$REMOTE_READ_ENV" >"$WORK/deploy.env" 2>"$WORK/env.log"; then
  output_of copy "$WORK/env.log"
  fail copy "cannot read $DIRECTORY/.env on the host"
fi
if [ -n "$FLAGS_FILE" ]; then
  printf '\n' >>"$WORK/deploy.env"
  cat "$FILES/$FLAGS_FILE" >>"$WORK/deploy.env"
fi

step context
run context "cannot create the Docker context $CONTEXT ($DOCKER_URL)" docker context create "$CONTEXT" --docker "host=$DOCKER_URL"

# docker compose on the project, bounded by SECS where timeout(1) exists (busybox and coreutils have it).
compose() {
  secs="$1"
  shift
  set -- docker --context "$CONTEXT" compose -p "$PROJECT" -f "$FILES/$COMPOSE_FILE" --env-file "$WORK/deploy.env" "$@"
  if command -v timeout >/dev/null 2>&1; then timeout "$secs" "$@"; else "$@"; fi
}

step pull
run pull "docker compose pull failed (an image the host cannot pull?)" compose "$TIMEOUT" pull

step services
run services "docker compose config failed (the Compose file or a variable it needs)" compose 60 config --services
SERVICES="$(cat "$WORK/services.log")"

step up
DEADLINE=$(($(date +%s) + TIMEOUT))
UP_OK=1
if ! compose "$TIMEOUT" up -d --remove-orphans >"$WORK/up.log" 2>&1; then
  UP_OK=0
  output_of up "$WORK/up.log"
fi

# Each container of the project, one line each: service state exit-code health restart-policy id.
states() {
  ids="$(docker --context "$CONTEXT" ps -a -q --filter "label=com.docker.compose.project=$PROJECT" --filter "label=com.docker.compose.oneoff=False" 2>"$WORK/ps.log")" || return 1
  [ -n "$ids" ] || return 0
  # shellcheck disable=SC2086 # one id a word
  # State.Health exists only for a container with a health check: index, not a field, reads a missing key as empty.
  docker --context "$CONTEXT" inspect -f '{{index .Config.Labels "com.docker.compose.service"}} {{.State.Status}} {{.State.ExitCode}} {{with index .State "Health"}}{{.Status}}{{else}}none{{end}} {{.HostConfig.RestartPolicy.Name}} {{.Id}}' $ids 2>"$WORK/ps.log"
}

# One verdict per service (ok, pending or failed) from the states; sets PENDING and FAILED.
judge() {
  PENDING=""
  FAILED=""
  : >"$WORK/verdicts"
  for service in $SERVICES; do
    line="$(awk -v s="$service" '$1 == s { print; exit }' "$WORK/states")"
    if [ -z "$line" ]; then
      verdict=pending
      state=missing
      code=0
      health=none
      id=""
    else
      # shellcheck disable=SC2086 # the fields of one state line
      set -- $line
      state="$2"
      code="$3"
      health="$4"
      policy="$5"
      id="$6"
      case "$state/$health" in
        running/none | running/healthy) verdict=ok ;;
        running/starting | created/* | restarting/*) verdict=pending ;;
        running/unhealthy) verdict=failed ;;
        exited/*)
          if [ "$code" = 0 ]; then
            case "$policy" in no | "" | on-failure) verdict=ok ;; *) verdict=pending ;; esac
          else
            verdict=failed
          fi
          ;;
        *) verdict=failed ;;
      esac
    fi
    [ "$verdict" = pending ] && PENDING="$PENDING $service"
    [ "$verdict" = failed ] && FAILED="$FAILED $service"
    printf '%s %s %s %s %s %s\n' "$service" "$verdict" "$state" "$code" "$health" "$id" >>"$WORK/verdicts"
  done
}

report_services() {
  while read -r service verdict state code health id; do
    emit "{\"event\":\"service\",\"service\":$(json "$service"),\"verdict\":$(json "$verdict"),\"state\":$(json "$state"),\"exitCode\":$code,\"health\":$(json "$health")}"
  done <"$WORK/verdicts"
}

# The last log lines of each failed service's container (its own output: no secret of ours is in it).
report_logs() {
  while read -r service verdict state code health id; do
    [ "$verdict" = ok ] && continue
    [ -n "$id" ] || continue
    docker --context "$CONTEXT" logs --tail 30 "$id" >"$WORK/logs" 2>&1 || true
    while IFS= read -r line || [ -n "$line" ]; do
      emit "{\"event\":\"log\",\"service\":$(json "$service"),\"line\":$(json "$line")}"
    done <"$WORK/logs"
  done <"$WORK/verdicts"
}

step wait
while :; do
  if ! states >"$WORK/states"; then
    output_of wait "$WORK/ps.log"
    fail wait "cannot read the containers' states from the host"
  fi
  judge
  if [ -z "$FAILED" ] && [ -z "$PENDING" ] && [ "$UP_OK" = 1 ]; then
    report_services
    emit "{\"event\":\"result\",\"ok\":true,\"project\":$(json "$PROJECT"),\"step\":\"wait\",\"failed\":[],\"message\":$(json "every service of $PROJECT is up on $HOST")}"
    exit 0
  fi
  # After a failed up nothing more will start: what is not up now has failed.
  if [ -n "$FAILED" ] || [ "$UP_OK" = 0 ] || [ "$(date +%s)" -ge "$DEADLINE" ]; then
    report_services
    report_logs
    if [ "$UP_OK" = 0 ]; then
      fail up "docker compose up failed:$FAILED$PENDING not up" "$FAILED $PENDING"
    elif [ -n "$FAILED" ]; then
      fail wait "not up:$FAILED" "$FAILED"
    else
      fail wait "still not up after $TIMEOUT s:$PENDING" "$PENDING"
    fi
  fi
  sleep 2
done
`;

/** What deploying one environment takes: the GitOps files to read, the script, and where it goes. */
export interface ComposeSshPlan {
  /** The Compose file's path in the GitOps repository. */
  composePath: string;
  /** The flags file's path in the GitOps repository (read when it exists). */
  flagsPath?: string;
  project: string;
  /** user@host:port, for messages. */
  where: string;
  /** The script for when the flags file exists, and for when it does not. */
  script(withFlags: boolean): string;
}

/** The plan of `deploy --env`: refuses (InputError naming the field) an unknown environment, one that is not compose, or one without a deploy section. */
export function composeSshPlan(config: PipelineConfig, environment: string): ComposeSshPlan {
  const env = knownEnvironment(config, environment);
  if (env.format !== "compose")
    throw new InputError(
      `environments.${environment}.format: ${env.format}; deploy applies Compose environments over SSH (format: compose) — a ${env.format} environment is applied by the cluster's GitOps controller from the repository`,
    );
  const deploy = env.deploy;
  if (!deploy)
    throw new InputError(`environments.${environment}.deploy: missing; deploy needs the host to apply ${environment} on (host, user, knownHosts, directory; the private key is given with --ssh-key)`);
  const [composePath] = deploymentFiles(env, []);
  const flagsPath = flagsFile(env);
  const base = (p: string) => p.slice(p.lastIndexOf("/") + 1);
  const project = composeProjectName(config.name, environment, deploy);
  return {
    composePath,
    ...(flagsPath ? { flagsPath } : {}),
    project,
    where: `${deploy.user}@${deploy.host}:${deploy.port}`,
    script: (withFlags) => composeSshScript({ application: config.name, environment, deploy, composeFile: base(composePath), ...(withFlags && flagsPath ? { flagsFile: base(flagsPath) } : {}) }),
  };
}

/**
 * The known_hosts file for a host on `port`: ssh looks a host on a port other than 22 up as
 * `[host]:port`, so a plain host pattern (as ssh-keyscan without -p, or a user, writes it) is
 * given that form too; bracketed, wildcard, negated and hashed patterns and @marker lines stay.
 */
export function knownHostsFile(knownHosts: string, port: number): string {
  const lines = knownHosts
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "");
  if (port === 22) return `${lines.join("\n")}\n`;
  const withPort = lines.map((line) => {
    if (line.startsWith("@")) return line;
    const [patterns, ...rest] = line.split(/\s+/);
    const mapped = patterns.split(",").map((p) => (/^[[|!]/.test(p) || /[*?]/.test(p) ? p : `[${p}]:${port}`));
    return [mapped.join(","), ...rest].join(" ");
  });
  return `${withPort.join("\n")}\n`;
}
