// Structure of alertmanager/alertmanager.yml against the alert rules: every route is exercised
// by a routes test case, every severity is routed, inhibition rules name real alerts, and
// secrets only come from files. (amtool itself runs in rules.test.ts via scripts/test-rules.mjs.)
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'vitest';
import { load } from 'js-yaml';
import { alertmanagerDir, loadShippedAlertmanagerConfig, type AmRoute } from '../support/alertmanager.js';
import { loadRules, ruleFilePaths } from '../support/alert-pack.js';

interface RouteCase {
  name: string;
  labels: Record<string, string>;
  receivers: string[];
}

const config = loadShippedAlertmanagerConfig();
const configText = readFileSync(path.join(alertmanagerDir, 'alertmanager.yml'), 'utf8');
const cases = (load(readFileSync(path.join(alertmanagerDir, 'tests', 'routes.test.yml'), 'utf8')) as { cases: RouteCase[] }).cases;
const alerting = loadRules(ruleFilePaths().alerting);
const alertNames = [...new Set(alerting.map((r) => r.alert ?? ''))];

/** Alertmanager's matcher syntax, the subset the config uses: name op "value". */
function matches(matcher: string, labels: Record<string, string>): boolean {
  const m = /^\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*"?(.*?)"?\s*$/.exec(matcher);
  if (!m || !m[1] || !m[2]) throw new Error(`cannot parse matcher ${matcher}`);
  const v = labels[m[1]] ?? '';
  const want = m[3] ?? '';
  switch (m[2]) {
    case '=':
      return v === want;
    case '!=':
      return v !== want;
    case '=~':
      return new RegExp(`^(?:${want})$`).test(v);
    default:
      return !new RegExp(`^(?:${want})$`).test(v);
  }
}

/** The route path an alert takes (first matching child at each level, as with continue: false). */
function routePath(route: AmRoute, labels: Record<string, string>, trail = 'root'): { trail: string; receiver: string }[] {
  for (const [i, child] of (route.routes ?? []).entries()) {
    if ((child.matchers ?? []).every((m) => matches(m, labels))) {
      const below = routePath(child, labels, `${trail}/${i}`);
      return below.map((b) => ({ ...b, receiver: b.receiver || child.receiver || route.receiver || '' }));
    }
  }
  return [{ trail, receiver: route.receiver ?? '' }];
}

function allRoutes(route: AmRoute, trail = 'root'): string[] {
  return [trail, ...(route.routes ?? []).flatMap((r, i) => allRoutes(r, `${trail}/${i}`))];
}

describe('alertmanager.yml', () => {
  test('the routes test cases agree with a plain reading of the route tree', () => {
    for (const c of cases) {
      const [p] = routePath(config.route, c.labels);
      assert.deepEqual([p?.receiver], c.receivers, c.name);
    }
  });

  test('every route, including the default, is reached by at least one routes test case', () => {
    const reached = new Set(cases.flatMap((c) => routePath(config.route, c.labels).map((p) => p.trail)));
    // A node is reached if a case ends in it or below it.
    const covered = (trail: string) => [...reached].some((r) => r === trail || r.startsWith(`${trail}/`));
    const leaves = allRoutes(config.route).filter((t) => !allRoutes(config.route).some((o) => o.startsWith(`${t}/`)));
    assert.deepEqual(allRoutes(config.route).filter((t) => !covered(t)), []);
    assert.deepEqual(leaves.filter((l) => !reached.has(l)), [], 'leaf routes without a case');
    assert.ok(reached.has('root'), 'the default route');
  });

  test('every severity the rules use has its own route and a test case; `none` goes nowhere', () => {
    const severities = [...new Set(alerting.map((r) => r.labels?.severity ?? ''))].sort();
    assert.deepEqual(severities, ['critical', 'info', 'none', 'warning']);
    // First, so no other route (the closed-venue one) catches an inhibit-only alert.
    assert.deepEqual(config.route.routes?.[0], { matchers: ['severity="none"'], receiver: 'inhibit-only' });
    const sink = config.receivers.find((r) => r.name === 'inhibit-only');
    assert.deepEqual(sink, { name: 'inhibit-only' }, 'a receiver without integrations');
    for (const s of severities) {
      assert.ok((config.route.routes ?? []).some((r) => (r.matchers ?? []).includes(`severity="${s}"`)), `route for ${s}`);
      assert.ok(cases.some((c) => c.labels.severity === s && !c.labels.exchange?.startsWith('nyse')), `case for ${s}`);
    }
  });

  test('every receiver is used, and Telegram uses HTML with the pack template', () => {
    const used = new Set(allRoutesReceivers(config.route));
    assert.deepEqual(config.receivers.map((r) => r.name).filter((n) => !used.has(n)), []);
    for (const r of config.receivers) {
      for (const tg of r.telegram_configs ?? []) {
        assert.equal(tg.parse_mode, 'HTML', r.name);
        assert.equal(tg.message, '{{ template "telegram.market.message" . }}', r.name);
      }
      for (const em of r.email_configs ?? []) {
        assert.equal(em.html, '{{ template "email.market.html" . }}', r.name);
        assert.equal(em.text, '{{ template "email.market.text" . }}', r.name);
      }
    }
  });

  test('inhibition rules name alerts that exist', () => {
    const names = (matchers: string[] = []) =>
      matchers
        .filter((m) => m.startsWith('alertname=~') || m.startsWith('alertname='))
        .flatMap((m) => /"(.*)"/.exec(m)?.[1]?.split('|') ?? []);
    for (const rule of config.inhibit_rules ?? []) {
      for (const n of [...names(rule.source_matchers), ...names(rule.target_matchers)]) {
        if (n === 'Market.+') continue;
        assert.ok(alertNames.includes(n), `inhibit rule names unknown alert ${n}`);
      }
      // equal: labels both sides carry; job is on every alert, exchange on every feed alert.
      assert.ok((rule.equal ?? []).length > 0);
    }
    const feedDown = (config.inhibit_rules ?? []).find((r) => names(r.source_matchers).includes('MarketFeedDown'));
    assert.deepEqual(names(feedDown?.source_matchers), ['MarketFeedDown', 'MarketFeedRecovering']);
    const targets = names(feedDown?.target_matchers);
    for (const n of ['MarketFeedStale', 'MarketSymbolStale', 'MarketFeedLagHigh', 'MarketSequenceGaps', 'MarketRSIOverbought', 'MarketBollingerBreakout']) {
      assert.ok(targets.includes(n), `MarketFeedDown silences ${n}`);
    }
  });

  test('secrets come from files only', () => {
    assert.doesNotMatch(configText, /^\s*(bot_token|smtp_auth_password|auth_password|smtp_auth_secret|auth_secret)\s*:/m);
    const fileKeys = [...configText.matchAll(/^\s*(\w+_file)\s*:\s*(\S+)/gm)];
    assert.ok(fileKeys.length >= 2);
    for (const m of fileKeys) assert.match(m[2] ?? '', /^\/etc\/alertmanager\/secrets\/\w+$/, m[1]);
  });
});

describe('secrets layout', () => {
  const root = path.resolve(alertmanagerDir, '..');
  test('.env.example documents every variable docker-compose.yml reads, and holds no secret', () => {
    const env = readFileSync(path.join(root, '.env.example'), 'utf8');
    const defined = new Set([...env.matchAll(/^([A-Z_][A-Z0-9_]*)=/gm)].map((m) => m[1]));
    const compose = readFileSync(path.join(root, 'docker-compose.yml'), 'utf8');
    const used = [...new Set([...compose.matchAll(/(?<!\$)\$\{([A-Z_][A-Z0-9_]*)/g)].map((m) => m[1] ?? ''))];
    assert.deepEqual(used.filter((v) => !defined.has(v)), []);
    assert.doesNotMatch(env, /^[A-Z_]*(TOKEN|SECRET|API_KEY)=/m);
    for (const m of env.matchAll(/^[A-Z_]*PASSWORD=(.*)$/gm)) assert.equal(m[1], 'change-me');
  });

  test('the secrets directory and .env are git-ignored', () => {
    const ignore = readFileSync(path.join(root, '.gitignore'), 'utf8').split('\n');
    assert.ok(ignore.includes('secrets/'));
    assert.ok(ignore.includes('.env'));
  });
});

function allRoutesReceivers(route: AmRoute): string[] {
  return [route.receiver ?? '', ...(route.routes ?? []).flatMap(allRoutesReceivers)].filter((r) => r !== '');
}
