// The generated deploy script (deploy/compose-ssh.ts) run by the real sh against stand-in ssh and
// docker commands that record what they were asked and answer container states from a table:
// quoting of config values, the known_hosts it writes, the ssh options, the verdict per service,
// and the refusals of deploy --env. The real ssh, docker and compose: ssh-deploy.integration.ts.
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import fc from "fast-check";
import { SshDeploy } from "../../.dagger/src/config/operations.js";
import { parseConfig } from "../../.dagger/src/config/load.js";
import { composeProjectName, composeSshPlan, composeSshScript, knownHostsFile, shellQuote } from "../../.dagger/src/deploy/compose-ssh.js";
import { failureMessage, parseDeployOutput, serviceLine } from "../../.dagger/src/deploy/result.js";

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const HOST_KEY = "[vps.example.com]:2222 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl";
const deployOf = (extra: Record<string, unknown> = {}) => SshDeploy.parse({ host: "vps.example.com", port: 2222, user: "deploy", knownHosts: HOST_KEY, directory: "/srv/webshop", ...extra });

/** Stand-ins: ssh records its arguments (and the known_hosts and ssh_config it was pointed at) and copies stdin; docker answers from states.txt. */
function standIns(dir: string, states: string) {
  const bin = join(dir, "bin");
  mkdirSync(bin);
  writeFileSync(join(dir, "states.txt"), states);
  writeFileSync(
    join(bin, "ssh"),
    `#!/bin/sh
echo "ssh $*" >>"${dir}/calls"
if [ "$1" = -F ]; then cp "$2" "${dir}/ssh_config"; cp "$(sed -n 's/^  UserKnownHostsFile "\\(.*\\)"$/\\1/p' "$2")" "${dir}/known_hosts"; fi
case "$*" in *"cat >"*) cat >>"${dir}/copied" ;; *"if [ -f"*) printf 'DB_PASSWORD=s3cret-canary\\n' ;; esac
exit 0
`,
  );
  writeFileSync(
    join(bin, "docker"),
    `#!/bin/sh
echo "docker $*" >>"${dir}/calls"
case "$*" in
  *"config --services"*) awk '{print $1}' "${dir}/states.txt" ;;
  *" ps -a -q "*) awk '{print $6}' "${dir}/states.txt" ;;
  *" inspect "*) cat "${dir}/states.txt" ;;
  *" logs "*) echo "error: relation \\"flyway_schema_histories\\" does not exist"; printf 'a\\ttab and a \\033[31mcolour\\n' ;;
esac
exit 0
`,
  );
  chmodSync(join(bin, "ssh"), 0o755);
  chmodSync(join(bin, "docker"), 0o755);
  return bin;
}

/** Run a generated script with the stand-ins; returns the parsed outcome, the exit code and what the stand-ins saw. */
function runScript(script: string, states: string) {
  const dir = mkdtempSync(join(tmpdir(), "pac-deploy-test-"));
  dirs.push(dir);
  const bin = standIns(dir, states);
  const files = join(dir, "files");
  mkdirSync(files);
  writeFileSync(join(files, "compose.yaml"), "services: {}\n");
  writeFileSync(join(files, "feature-flags.env"), "FEATURE_X=true\n");
  writeFileSync(join(dir, "key"), "not a key", { mode: 0o600 });
  writeFileSync(join(dir, "deploy.sh"), script);
  const r = spawnSync("sh", [join(dir, "deploy.sh"), files, join(dir, "key")], { env: { PATH: `${bin}:/usr/bin:/bin`, HOME: dir }, encoding: "utf8", timeout: 20_000 });
  const read = (f: string) => {
    try {
      return readFileSync(join(dir, f), "utf8");
    } catch {
      return "";
    }
  };
  return {
    code: r.status,
    stdout: r.stdout,
    stderr: r.stderr,
    outcome: parseDeployOutput(r.stdout),
    calls: read("calls"),
    knownHosts: read("known_hosts"),
    sshConfig: read("ssh_config"),
    copied: read("copied"),
  };
}

const target = (extra: Record<string, unknown> = {}, timeout = 300) => ({
  application: "webshop",
  environment: "prod",
  deploy: deployOf({ timeout, ...extra }),
  composeFile: "compose.yaml",
  flagsFile: "feature-flags.env",
});
const UP = ["db running 0 healthy unless-stopped c1", "db-migrate exited 0 none no c2", "backend running 0 healthy unless-stopped c3", "frontend running 0 none unless-stopped c4"].join("\n");

describe("the generated deploy script, run by sh with stand-in ssh and docker", () => {
  test("every service up: exit 0, one service event each (a job that exited 0 is done), the result names the project", () => {
    const r = runScript(composeSshScript(target()), `${UP}\n`);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.ok(r.outcome.ok);
    assert.equal(r.outcome.project, "webshop-prod");
    assert.equal(serviceLine(r.outcome), "db healthy, db-migrate done (exit 0), backend healthy, frontend running");
    // The context, and compose with the project, the local file and the merged env file.
    assert.match(r.calls, /docker context create pac-deploy-webshop-prod --docker host=ssh:\/\/deploy@vps\.example\.com:2222/);
    assert.match(r.calls, /docker --context pac-deploy-webshop-prod compose -p webshop-prod -f \S+\/files\/compose\.yaml --env-file \S+\/deploy\.env up -d --remove-orphans/);
    assert.match(r.calls, /compose -p webshop-prod .* pull/);
    // ssh: this run's config, the configured user and port, the remote paths quoted for the remote shell.
    assert.match(r.calls, /ssh -F \S+\/ssh_config -p 2222 -l deploy -- vps\.example\.com mkdir -p -- '\/srv\/webshop'/);
    assert.match(r.calls, /cat > '\/srv\/webshop\/\.compose\.yaml\.pac-tmp' && mv -f '\/srv\/webshop\/\.compose\.yaml\.pac-tmp' '\/srv\/webshop\/compose\.yaml'/);
    assert.equal(r.copied, "services: {}\nFEATURE_X=true\n", "the Compose file and the flags were sent");
    assert.equal(r.knownHosts, `${HOST_KEY}\n`, "known_hosts holds exactly the configured key");
    for (const option of ["StrictHostKeyChecking yes", "GlobalKnownHostsFile /dev/null", "IdentitiesOnly yes", "BatchMode yes", "PasswordAuthentication no", "UpdateHostKeys no"])
      assert.ok(r.sshConfig.includes(`  ${option}\n`), `ssh_config has ${option}`);
    assert.ok(!r.stdout.includes("s3cret-canary") && !r.stderr.includes("s3cret-canary"), "the host's .env is never printed");
  });

  test("an unhealthy backend: exit 1, backend named as failed, its last log lines as clean JSON strings", () => {
    const r = runScript(composeSshScript(target()), `${UP.replace("backend running 0 healthy", "backend running 0 unhealthy")}\n`);
    assert.equal(r.code, 1);
    assert.equal(r.outcome.ok, false);
    assert.equal(r.outcome.step, "wait");
    assert.deepEqual(r.outcome.failed, ["backend"]);
    assert.deepEqual(r.outcome.logs.backend, ['error: relation "flyway_schema_histories" does not exist', "a tab and a [31mcolour"]);
    assert.match(failureMessage(r.outcome, "deploy of prod"), /deploy of prod: failed at wait: not up: backend\nservices: .*backend unhealthy/);
  });

  test("a migration job that exited 1 fails; one still starting past the timeout fails saying so", () => {
    const job = runScript(composeSshScript(target()), `${UP.replace("db-migrate exited 0", "db-migrate exited 1")}\n`);
    assert.deepEqual([job.code, job.outcome.failed], [1, ["db-migrate"]]);
    assert.equal(job.outcome.services.find((s) => s.service === "db-migrate")?.verdict, "failed");
    const slow = runScript(composeSshScript(target({}, 1)), `${UP.replace("frontend running 0 none", "frontend running 0 starting")}\n`);
    assert.equal(slow.code, 1);
    assert.deepEqual(slow.outcome.failed, ["frontend"]);
    assert.match(slow.outcome.message, /still not up after 1 s: frontend/);
  });

  test("config values reach ssh and docker literally: a known_hosts comment with quotes and $(…) is written as it is, never run", () => {
    const hostile = `${HOST_KEY} it's $(touch /tmp/pac-pwned) \`id\` "x"`;
    const r = runScript(composeSshScript(target({ knownHosts: hostile })), `${UP}\n`);
    assert.equal(r.code, 0, r.stdout);
    assert.equal(r.knownHosts, `${hostile}\n`);
  });

  test("no arguments: exit 2 with a result naming the usage", () => {
    const dir = mkdtempSync(join(tmpdir(), "pac-deploy-test-"));
    dirs.push(dir);
    writeFileSync(join(dir, "deploy.sh"), composeSshScript(target()));
    const r = spawnSync("sh", [join(dir, "deploy.sh")], { encoding: "utf8" });
    assert.equal(r.status, 2);
    assert.match(parseDeployOutput(r.stdout).message, /^usage: sh deploy\.sh <folder holding compose\.yaml> <private key file>$/);
  });

  test("shellQuote: sh reads every string back as it was (no expansion, no word splitting)", () => {
    fc.assert(
      fc.property(
        fc.string({ unit: "binary", maxLength: 40 }).filter((s) => !s.includes("\0")),
        (s) => {
          assert.equal(execFileSync("sh", ["-c", `printf '%s' ${shellQuote(s)}`], { encoding: "utf8" }), s);
        },
      ),
      { seed: 42, numRuns: 60 },
    );
  });
});

describe("deploy --env refusals and names", () => {
  const config = (env: string) =>
    parseConfig(`name: webshop
components:
  backend: { kind: backend, toolchain: node, path: backend }
registry: { address: registry.example.com/acme/webshop }
gitops: { repository: https://git.example.com/acme/gitops.git }
environments:
${env}`);

  test("an environment that is not compose, one without deploy, an unknown one: InputError naming the field and what is valid", () => {
    const c = config(`  dev: { on: push, path: environments/dev, format: kustomize }
  prod: { on: manual, path: environments/prod, format: compose }
`);
    assert.throws(() => composeSshPlan(c, "dev"), { name: "InputError", message: /^environments\.dev\.format: kustomize; deploy applies Compose environments over SSH \(format: compose\)/ });
    assert.throws(() => composeSshPlan(c, "prod"), { name: "InputError", message: /^environments\.prod\.deploy: missing; deploy needs the host/ });
    assert.throws(() => composeSshPlan(c, "qa"), { name: "InputError", message: /^environment: "qa" is not an environment of this pipeline; environments: dev, prod$/ });
  });

  test("the plan reads the environment's file and flags from its folder; the project defaults to <name>-<environment>", () => {
    const c = config(`  prod:
    on: manual
    path: environments/prod/
    format: compose
    file: stack.yml
    deploy: { host: vps.example.com, user: deploy, knownHosts: "vps.example.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl", directory: /srv/shop }
`);
    const plan = composeSshPlan(c, "prod");
    assert.deepEqual([plan.composePath, plan.flagsPath, plan.project, plan.where], ["environments/prod/stack.yml", "environments/prod/feature-flags.env", "webshop-prod", "deploy@vps.example.com:22"]);
    assert.match(plan.script(false), /^COMPOSE_FILE='stack\.yml'$/m);
    assert.match(plan.script(false), /^FLAGS_FILE=''$/m);
    assert.match(plan.script(true), /^FLAGS_FILE='feature-flags\.env'$/m);
  });

  test("a project name that cannot be derived is refused naming deploy.project", () => {
    assert.equal(composeProjectName("Web.Shop", "prod", deployOf()), "web-shop-prod");
    assert.equal(composeProjectName("webshop", "prod", deployOf({ project: "shop" })), "shop");
    assert.throws(() => composeProjectName("___", "_", deployOf()), { name: "InputError", message: /^environments\._\.deploy\.project: none set/ });
  });

  test("the script is valid POSIX sh for every shape of config (sh -n)", () => {
    for (const t of [target(), { ...target(), flagsFile: undefined }, target({ host: "[::1]", port: 22 })]) {
      const dir = mkdtempSync(join(tmpdir(), "pac-deploy-test-"));
      dirs.push(dir);
      writeFileSync(join(dir, "deploy.sh"), composeSshScript(t));
      assert.equal(spawnSync("sh", ["-n", join(dir, "deploy.sh")], { encoding: "utf8" }).status, 0);
    }
  });
});

describe("known_hosts for the configured port", () => {
  const KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl";
  test("port 22: the lines as given (trimmed, blank lines dropped)", () => {
    assert.equal(knownHostsFile(`  vps.example.com ${KEY}\n\n`, 22), `vps.example.com ${KEY}\n`);
  });
  test("another port: plain patterns become [host]:port (as ssh looks them up); bracketed, wildcard, negated, hashed and @marker lines stay", () => {
    const given = [
      `vps.example.com,10.0.0.5 ${KEY} deploy host`,
      `[vps.example.com]:2222 ${KEY}`,
      `*.example.com,!bad.example.com ${KEY}`,
      `|1|c2FsdA==|aGFzaA== ${KEY}`,
      `@cert-authority *.example.com ${KEY}`,
    ].join("\n");
    assert.equal(
      knownHostsFile(given, 2222),
      [
        `[vps.example.com]:2222,[10.0.0.5]:2222 ${KEY} deploy host`,
        `[vps.example.com]:2222 ${KEY}`,
        `*.example.com,!bad.example.com ${KEY}`,
        `|1|c2FsdA==|aGFzaA== ${KEY}`,
        `@cert-authority *.example.com ${KEY}`,
        "",
      ].join("\n"),
    );
  });
});
