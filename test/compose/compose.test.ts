/**
 * docker-compose.yml, validated by `docker compose config` (tools/bin/docker-compose, no daemon
 * needed) and checked against the files it wires together: image versions equal the ones the
 * tests run, service names and ports equal the targets in prometheus/prometheus.yml and the
 * Grafana data sources, mounts equal the paths the provisioning and Alertmanager config expect.
 * The Alertmanager start command is run for real on the shipped config and checked with amtool.
 */
import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { load } from 'js-yaml';
import { toolPath } from '../support/tools.js';
import { provisionedDatasources, readYaml, repoRoot } from '../grafana/load.js';
import { execForm, parseDockerfile } from './dockerfile.js';

interface Volume {
  type: string;
  source?: string;
  target: string;
  read_only?: boolean;
}
interface Service {
  image?: string;
  build?: { context: string; dockerfile: string };
  command?: string[];
  entrypoint?: string[];
  environment?: Record<string, string>;
  ports?: { host_ip?: string; target: number; published: string }[];
  expose?: string[];
  volumes?: Volume[];
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
}
interface Compose {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
}

const PASSWORD = 'test-only-password';

/** `docker compose config` with a clean environment (no .env, no SMTP_* from the caller). */
function composeConfig(env: Record<string, string>, extraFiles: string[] = []) {
  const home = mkdtempSync(path.join(tmpdir(), 'market-compose-'));
  const emptyEnv = path.join(home, 'empty.env');
  writeFileSync(emptyEnv, '');
  try {
    const args = ['--env-file', emptyEnv, '-f', 'docker-compose.yml', ...extraFiles.flatMap((f) => ['-f', f]), 'config', '--format', 'json'];
    const res = spawnSync(toolPath('docker-compose'), args, {
      cwd: repoRoot,
      env: { PATH: process.env.PATH ?? '', HOME: home, ...env },
      encoding: 'utf8',
      timeout: 30_000,
    });
    return { status: res.status, stdout: res.stdout, stderr: res.stderr };
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

function config(extraFiles: string[] = []): Compose {
  const res = composeConfig({ GRAFANA_ADMIN_PASSWORD: PASSWORD }, extraFiles);
  assert.equal(res.status, 0, res.stderr);
  return JSON.parse(res.stdout) as Compose;
}

const compose = config();
const svc = (name: string) => {
  const s = compose.services[name];
  assert.ok(s, `no service ${name}`);
  return s;
};
const versions = Object.fromEntries(
  readFileSync(path.join(repoRoot, 'tools', 'VERSIONS'), 'utf8')
    .split('\n')
    .filter((l) => l.includes('='))
    .map((l) => l.split('=') as [string, string]),
);
const schemaVersion = (JSON.parse(readFileSync(path.join(repoRoot, 'node_modules', '@grafana', 'schema', 'package.json'), 'utf8')) as { version: string }).version;
const exposes = (name: string, port: number) => (svc(name).expose ?? []).includes(String(port)) || (svc(name).ports ?? []).some((p) => p.target === port);
const mount = (name: string, target: string) => svc(name).volumes?.find((v) => v.target === target);

describe('docker-compose.yml', () => {
  test('is valid for `docker compose config`, and refuses to start without a Grafana password', () => {
    assert.deepEqual(Object.keys(compose.services).sort(), ['alertmanager', 'grafana', 'mailpit', 'market-exporter', 'prometheus']);
    const res = composeConfig({});
    assert.notEqual(res.status, 0);
    assert.match(res.stderr, /GRAFANA_ADMIN_PASSWORD/);
  });

  test('pins every image to the version the tests run', () => {
    assert.equal(svc('prometheus').image, `prom/prometheus:v${versions.prometheus}`);
    assert.equal(svc('alertmanager').image, `prom/alertmanager:v${versions.alertmanager}`);
    // @grafana/schema is released with Grafana and carries its version: the dashboards are typed for this Grafana.
    assert.equal(svc('grafana').image, `grafana/grafana:${schemaVersion}`);
    assert.match(svc('mailpit').image ?? '', /^axllent\/mailpit:v\d+\.\d+\.\d+$/);
    assert.equal(svc('market-exporter').build?.dockerfile, 'Dockerfile');
    assert.equal(svc('market-exporter').build?.context, repoRoot);
    for (const [name, s] of Object.entries(compose.services)) assert.doesNotMatch(s.image ?? '', /:latest$/, name);
  });

  test("publishes only Grafana's port, on loopback by default", () => {
    for (const [name, s] of Object.entries(compose.services)) {
      if (name !== 'grafana') assert.equal(s.ports, undefined, `${name} publishes a port`);
    }
    assert.deepEqual(
      svc('grafana').ports?.map((p) => ({ host_ip: p.host_ip, target: p.target, published: p.published })),
      [{ host_ip: '127.0.0.1', target: 3000, published: '3000' }],
    );
  });

  test('gives every service a healthcheck, and waits on health before starting dependants', () => {
    for (const [name, s] of Object.entries(compose.services)) {
      assert.ok((s.healthcheck?.test ?? []).length > 1, `${name} has no healthcheck`);
      for (const [dep, d] of Object.entries(s.depends_on ?? {})) {
        // The one exception: Prometheus has to run while the exporter is failing, to say so.
        const want = name === 'prometheus' && dep === 'market-exporter' ? 'service_started' : 'service_healthy';
        assert.equal(d.condition, want, `${name} -> ${dep}`);
      }
    }
    const deps = (name: string) => Object.keys(svc(name).depends_on ?? {}).sort();
    assert.deepEqual(deps('grafana'), ['alertmanager', 'prometheus']);
    assert.deepEqual(deps('prometheus'), ['alertmanager', 'market-exporter']);
    assert.deepEqual(deps('alertmanager'), ['mailpit']);
  });

  test("the exporter's healthcheck is the image's own (Dockerfile HEALTHCHECK)", () => {
    const df = parseDockerfile(readFileSync(path.join(repoRoot, 'Dockerfile'), 'utf8'));
    const final = df.stages[df.stages.length - 1]!;
    const hc = final.instructions.find((i) => i.cmd === 'HEALTHCHECK')!;
    assert.deepEqual(svc('market-exporter').healthcheck?.test, ['CMD', ...execForm(hc.args.replace(/^.*?\bCMD\b/, ''))]);
  });

  test('keeps data in named volumes', () => {
    const want: Record<string, string> = {
      prometheus: '/prometheus',
      alertmanager: '/alertmanager',
      grafana: '/var/lib/grafana',
      mailpit: '/data',
    };
    for (const [name, target] of Object.entries(want)) {
      const v = mount(name, target);
      assert.equal(v?.type, 'volume', `${name}:${target} is not a named volume`);
      assert.ok(v.source && compose.volumes && v.source in compose.volumes, `${name}: volume ${v.source} is not declared`);
    }
  });

  test('Prometheus scrapes and alerts to compose services, with the shipped config mounted read-only', () => {
    const cmd = svc('prometheus').command ?? [];
    const configFile = cmd.find((a) => a.startsWith('--config.file='))?.split('=')[1];
    assert.ok(configFile);
    const m = mount('prometheus', path.posix.dirname(configFile));
    assert.equal(m?.source, path.join(repoRoot, 'prometheus'));
    assert.equal(m?.read_only, true);

    const prom = readYaml<{
      scrape_configs: { job_name: string; static_configs: { targets: string[] }[] }[];
      alerting: { alertmanagers: { static_configs: { targets: string[] }[] }[] };
    }>('prometheus', 'prometheus.yml');
    const targets = [
      ...prom.scrape_configs.flatMap((s) => s.static_configs.flatMap((c) => c.targets)),
      ...prom.alerting.alertmanagers.flatMap((a) => a.static_configs.flatMap((c) => c.targets)),
    ];
    assert.ok(targets.includes('market-exporter:10790'));
    for (const t of targets) {
      const [host, port] = t.split(':') as [string, string];
      if (host === 'localhost') continue;
      assert.ok(exposes(host, Number(port)), `prometheus.yml targets ${t}: no compose service ${host} exposing ${port}`);
    }
  });

  test('Grafana mounts the provisioning read-only, at the paths it points to, with no default credentials', () => {
    const g = svc('grafana');
    assert.equal(mount('grafana', '/etc/grafana/provisioning')?.source, path.join(repoRoot, 'grafana', 'provisioning'));
    assert.equal(mount('grafana', '/etc/grafana/provisioning')?.read_only, true);
    const provider = readYaml<{ providers: { options: { path: string } }[] }>('grafana', 'provisioning', 'dashboards', 'market-exporter.yml');
    const dashPath = provider.providers[0]!.options.path;
    assert.equal(mount('grafana', dashPath)?.source, path.join(repoRoot, 'grafana', 'dashboards'));
    assert.equal(mount('grafana', dashPath)?.read_only, true);

    const env = g.environment ?? {};
    assert.equal(env.GF_SECURITY_ADMIN_PASSWORD, PASSWORD);
    assert.equal(env.GF_AUTH_ANONYMOUS_ENABLED, 'false');
    assert.equal(env.GF_USERS_ALLOW_SIGN_UP, 'false');
    const home = env.GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH ?? '';
    assert.ok(home.startsWith(dashPath + '/'));
    assert.ok(existsSync(path.join(repoRoot, 'grafana', 'dashboards', path.posix.basename(home))), `home dashboard ${home} missing`);
  });

  test("Grafana's data sources point at compose services, Prometheus' at its scrape interval", () => {
    for (const ds of provisionedDatasources()) {
      const u = new URL(ds.url);
      assert.ok(exposes(u.hostname, Number(u.port)), `${ds.name}: ${ds.url} is no compose service`);
    }
    const prom = provisionedDatasources().find((d) => d.type === 'prometheus');
    const global = readYaml<{ global: { scrape_interval: string } }>('prometheus', 'prometheus.yml').global;
    assert.equal(prom?.jsonData?.timeInterval, global.scrape_interval);
  });

  test('Alertmanager runs the shipped config with only the SMTP transport swapped for Mailpit, and amtool accepts it', () => {
    const am = svc('alertmanager');
    assert.deepEqual(am.entrypoint, ['/bin/sh', '-c']);
    // Compose escapes $ as $$ in its output; the container's shell sees single ones.
    const script = (am.command ?? [])[0]!.replaceAll('$$', '$');
    const [render, exec] = script.split(' && exec ') as [string, string];
    assert.match(exec, /--config\.file=\/etc\/alertmanager\/alertmanager\.yml/);
    assert.equal(mount('alertmanager', '/etc/alertmanager/templates')?.source, path.join(repoRoot, 'alertmanager', 'templates'));

    const shipped = load(readFileSync(path.join(repoRoot, 'alertmanager', 'alertmanager.yml'), 'utf8')) as { global: Record<string, unknown> };
    // The secrets the shipped config reads live where compose mounts the secrets directory.
    const secretsDir = mount('alertmanager', '/etc/alertmanager/secrets');
    assert.equal(secretsDir?.read_only, true);
    assert.equal(path.posix.dirname(String(shipped.global.smtp_auth_password_file)), '/etc/alertmanager/secrets');

    // amtool accepts a templates glob that matches nothing, so check the container's layout here:
    // each glob, relative to the config file, must land in a mounted directory with files in it.
    for (const glob of (shipped as { templates?: string[] }).templates ?? []) {
      const inContainer = path.posix.join('/etc/alertmanager', glob);
      const source = mount('alertmanager', path.posix.dirname(inContainer))?.source;
      assert.ok(source, `templates ${glob}: ${path.posix.dirname(inContainer)} is not mounted`);
      const re = new RegExp('^' + path.posix.basename(glob).replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*') + '$');
      assert.ok(readdirSync(source).some((f) => re.test(f)), `templates ${glob}: nothing matches in ${source}`);
    }

    const [smtpHost, smtpPort] = (am.environment?.SMTP_SMARTHOST ?? '').split(':');
    assert.ok(exposes(smtpHost!, Number(smtpPort)), `SMTP_SMARTHOST default ${am.environment?.SMTP_SMARTHOST} is no compose service`);

    for (const env of [am.environment ?? {}, { SMTP_SMARTHOST: 'smtp.example.org:587', SMTP_REQUIRE_TLS: 'true' }]) {
      const dir = mkdtempSync(path.join(tmpdir(), 'market-am-'));
      try {
        // Lay the files out as the container sees them: config and templates/ side by side.
        symlinkSync(path.join(repoRoot, 'alertmanager', 'templates'), path.join(dir, 'templates'));
        const out = path.join(dir, 'alertmanager.yml');
        const local = render
          .replace('/etc/alertmanager/shipped/alertmanager.yml', path.join(repoRoot, 'alertmanager', 'alertmanager.yml'))
          .replace('/etc/alertmanager/alertmanager.yml', out);
        const sh = spawnSync('/bin/sh', ['-c', local], { env: { PATH: process.env.PATH ?? '', ...env }, encoding: 'utf8' });
        assert.equal(sh.status, 0, sh.stderr);

        const rendered = load(readFileSync(out, 'utf8')) as { global: Record<string, unknown> };
        assert.equal(rendered.global.smtp_smarthost, env.SMTP_SMARTHOST);
        assert.equal(rendered.global.smtp_require_tls, env.SMTP_REQUIRE_TLS === 'true');
        // Nothing else moved: routes, receivers, inhibitions and the rest of global are the shipped ones.
        const strip = (c: { global: Record<string, unknown> }) => ({ ...c, global: { ...c.global, smtp_smarthost: 0, smtp_require_tls: 0 } });
        assert.deepEqual(strip(rendered), strip(shipped));

        const check = spawnSync(toolPath('amtool'), ['check-config', out], { encoding: 'utf8', timeout: 30_000 });
        assert.equal(check.status, 0, check.stdout + check.stderr);
        assert.match(check.stdout, /SUCCESS/);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  });

  test('every setting docker-compose.yml reads from the environment is documented (docs/deploy.md or README.md)', () => {
    const yml = readFileSync(path.join(repoRoot, 'docker-compose.yml'), 'utf8');
    const doc = ['docs/deploy.md', 'README.md']
      .filter((f) => existsSync(path.join(repoRoot, f)))
      .map((f) => readFileSync(path.join(repoRoot, f), 'utf8'))
      .join('\n');
    // ${VAR}, ${VAR:-default}, ${VAR:?message}; not $${VAR}, which the container's shell expands.
    const vars = new Set([...yml.matchAll(/(?<!\$)\$\{(\w+)/g)].map((m) => m[1]!));
    assert.ok(vars.has('GRAFANA_ADMIN_PASSWORD'));
    for (const v of vars) assert.match(doc, new RegExp(`\\| \`${v}\` \\|`), `${v} is not in the settings table of docs/deploy.md or README.md`);
  });
});

describe('the docker-compose.override.yml examples in the docs', () => {
  const docs = ['docs/deploy.md', 'README.md'].filter((f) => existsSync(path.join(repoRoot, f)));
  const blocks = docs.flatMap((f) =>
    [...readFileSync(path.join(repoRoot, f), 'utf8').matchAll(/```yaml\n(# docker-compose\.override\.yml\n[\s\S]*?)```/g)].map((m) => ({
      file: f,
      yaml: m[1]!,
    })),
  );

  test('exist: one for the web UIs, one for a real-venue config', () => {
    assert.ok(blocks.length >= 2, `found ${blocks.length} override examples`);
  });

  test('each merges into a valid stack that does what the docs say', () => {
    let sawConfig = false;
    let sawInbox = false;
    for (const b of blocks) {
      const dir = mkdtempSync(path.join(tmpdir(), 'market-override-'));
      try {
        const file = path.join(dir, 'docker-compose.override.yml');
        writeFileSync(file, b.yaml);
        const merged = config([file]);
        const exporter = merged.services['market-exporter']!;
        if (exporter.command?.includes('--config')) {
          const cfg = exporter.command[exporter.command.indexOf('--config') + 1];
          assert.ok(exporter.volumes?.some((v) => v.target === cfg && v.read_only), `${b.file}: --config ${cfg} is not mounted read-only`);
          assert.ok(exporter.command.includes('0.0.0.0:10790'), `${b.file}: the exporter would listen on loopback only`);
          sawConfig = true;
        }
        const inbox = merged.services.mailpit?.ports?.find((p) => p.target === 8025);
        if (inbox) {
          assert.equal(inbox.host_ip, '127.0.0.1');
          sawInbox = true;
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
    assert.ok(sawConfig && sawInbox);
  });
});
