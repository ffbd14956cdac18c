import { existsSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { postLiveBurst } from './helpers/live-burst.js';
import { nezhaSlice } from './helpers/nezha.js';
import { ROOT, runCli, tempDir } from './helpers/run-cli.js';
import { serve, stopServers } from './helpers/serve.js';

afterEach(stopServers);

/** Debian's Chromium (installed by .ci/run); the test says so and skips where it is missing. */
const CHROMIUM = process.env.BIFROST_CHROMIUM ?? '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium)
  process.stderr.write(
    `web dashboard e2e skipped: no Chromium at ${CHROMIUM} (apt-get install -y chromium, or set BIFROST_CHROMIUM)\n`,
  );
/** Screenshots of each view, kept as test artefacts (linked from the README via docs/screenshots). */
const SHOTS = join(ROOT, 'test-artifacts', 'screenshots');
const AXE = join(ROOT, 'node_modules', 'axe-core', 'axe.min.js');

describe.skipIf(!haveChromium)(
  'web dashboard in a real browser (Playwright + Debian Chromium, spawned bifrost serve with Nezha data)',
  () => {
    const data = tempDir('bifrost-web-nezha-');
    let browser: Browser;
    beforeAll(async () => {
      const r = await runCli(['import', '--format', 'nezha', nezhaSlice(), '--data', data]);
      expect(r.code).toBe(0);
      mkdirSync(SHOTS, { recursive: true });
      // the flags this machine needs: no sandbox as root, no background connections (closed network)
      browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: [
          '--no-sandbox',
          '--disable-gpu',
          '--disable-quic',
          '--no-first-run',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
        ],
      });
    }, 90_000);
    afterAll(async () => {
      await browser.close();
    });

    async function open(url: string): Promise<Page> {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      const problems: string[] = [];
      page.on('pageerror', (e) => problems.push(e.message));
      page.on('console', (m) => {
        if (m.type() === 'error' && !/Failed to load resource/.test(m.text()))
          problems.push(m.text());
      });
      await page.goto(url);
      (page as Page & { problems: string[] }).problems = problems;
      return page;
    }

    /** WCAG 2.1 A and AA rules of axe-core (npm, run in the page) that fail on the page as it is: none may. */
    async function accessible(page: Page, view: string): Promise<void> {
      await page.addScriptTag({ path: AXE });
      const violations = await page.evaluate<{ id: string; impact: string; targets: string[] }[]>(
        `axe.run(document, { runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] }).then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact, targets: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) })))`,
      );
      expect(violations, `accessibility of the ${view} view`).toEqual([]);
    }

    it("overview lists each injected fault's incident with its top cause; clicking through reaches the evidence; live updates arrive without reload", async () => {
      // a webhook destination for notifications, so the settings show one and can test it
      const received: string[] = [];
      const hook = createServer((req, res) => {
        received.push(String(req.headers['x-bifrost-event']));
        req.resume();
        req.on('end', () => res.writeHead(200).end());
      });
      await new Promise<void>((ok) => hook.listen(0, '127.0.0.1', ok));
      const s = await serve([
        '--data',
        data,
        '--detect-every',
        '1s',
        '--webhook-url',
        `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook/secret-path`,
      ]);
      const scan = await fetch(`${s.url}/api/v1/incidents/scan`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ from: '2023-01-29T08:40:00Z', to: '2023-01-29T09:20:00Z' }),
      });
      expect(scan.status).toBe(200);

      const t0 = Date.now();
      const page = await open(`${s.url}/`);
      const rows = page.locator('table.incidents tbody tr');
      await rows.first().waitFor();
      const loadMs = Date.now() - t0;
      expect(await rows.count()).toBe(2);
      await expect.poll(() => page.locator('.live').textContent()).toBe('live');
      const text = await page.locator('table.incidents').innerText();
      expect(text).toMatch(/ts-contacts-service/);
      expect(text).toMatch(/ts-basic-service/);
      expect(await page.locator('table.services tbody tr').count()).toBeGreaterThan(3);
      // the hour's findings grouped by service, kind and subject: no two lines alike
      await page.locator('ul.findings li').first().waitFor();
      expect(await page.locator('#findings-h').innerText()).toMatch(
        /Recent findings [\d,]+ in the hour.*, as \d+ groups? of service, kind and subject/,
      );
      const lines = await page.locator('ul.findings li').allInnerTexts();
      expect(lines.length).toBeLessThanOrEqual(15);
      expect(new Set(lines.map((l) => l.replace(/^\S+ /, ''))).size).toBe(lines.length);
      await page.screenshot({ path: join(SHOTS, 'overview.png'), fullPage: true });
      await accessible(page, 'overview');

      // click through to the evidence of the ts-basic-service fault
      await page
        .locator('table.incidents tr', { hasText: 'ts-basic-service' })
        .locator('a')
        .first()
        .click();
      await page.locator('ol.causes > li').first().waitFor();
      expect(page.url()).toMatch(/#\/incidents\/inc_/);
      expect(
        await page.locator('ol.causes > li').first().locator('strong').first().textContent(),
      ).toBe('ts-basic-service');
      await expect
        .poll(() => page.locator('#evidence-e1').innerText())
        .toMatch(/Get Route By Ids Failed/);
      expect(await page.locator('ol.timeline li').count()).toBeGreaterThan(1);
      // ranked over the incident's own minutes (not 10 minutes that reach into the next incident);
      // a wider look is an explicit action, and back
      expect(await page.locator('p.look').innerText()).toMatch(
        /^Ranked over the incident's own minutes, 2023-01-29 09:02 to 2023-01-29 09:06 UTC\./,
      );
      await page.locator('button.look-toggle').click();
      await expect.poll(() => page.locator('p.look').innerText()).toMatch(/^A wider look: 10m /);
      await page.locator('ol.causes > li').first().waitFor();
      await page.locator('button.look-toggle').click();
      await expect.poll(() => page.locator('p.look').innerText()).toMatch(/own minutes/);
      await page.locator('ol.causes > li').first().waitFor();
      expect(
        await page.locator('ol.causes > li').first().locator('strong').first().textContent(),
      ).toBe('ts-basic-service');
      // which finding explains which: arrows between the findings of the ranked services, and the same in words
      await page.locator('.causal-chain path.link').first().waitFor();
      expect(await page.locator('.causal-links').innerText()).toMatch(
        /e\d+ ts-basic-service \(log, [^)]*\) → e\d+ ts-travel-service \(log, [^)]*\): ts-basic-service explains the symptoms of ts-travel-service/,
      );
      // the top cause's first evidence is charted (its abnormal window shaded); its metrics around the incident too
      await page.locator('#evidence-e1 .time-chart canvas').first().waitFor();
      await page.locator('.metrics-around .time-chart canvas').first().waitFor();
      expect(await page.locator('.metrics-around select option').count()).toBeGreaterThan(3);
      expect(await page.locator('#evidence-e1 .time-chart').getAttribute('aria-label')).toMatch(
        /records of .* marked: abnormal/,
      );
      // a log signal's evidence links to its pattern's lines in the logs explorer
      expect(await page.locator('#evidence-e1 a.logs-link').getAttribute('href')).toMatch(
        /^#\/logs\?range=24h&service=ts-basic-service&template=.+/,
      );
      await page.screenshot({ path: join(SHOTS, 'incident.png'), fullPage: true });
      await accessible(page, 'incident');
      // a trace id of the evidence opens the trace as a waterfall
      await page.locator('#evidence-e1 button.trace').first().click();
      await page.locator('.waterfall tbody tr').first().waitFor();
      expect(await page.locator('.waterfall tbody tr').count()).toBeGreaterThan(1);
      expect(await page.locator('.waterfall').innerText()).toMatch(/ts-basic-service/);
      await page.locator('.waterfall').scrollIntoViewIfNeeded();
      await page.screenshot({ path: join(SHOTS, 'trace.png') });
      const incidentUrl = page.url();

      // timeline: incidents as lanes on a canvas; selecting one shows the causal links the RCA found; keys zoom
      await page.locator('nav a', { hasText: 'Timeline' }).click();
      await page.locator('canvas.timeline-canvas').waitFor();
      expect(await page.locator('#tl-h').innerText()).toMatch(/2 incidents, \d+ events/);
      await page.locator('.history li', { hasText: 'ts-basic-service' }).locator('button').click();
      await expect
        .poll(() => page.locator('.causal').innerText(), { timeout: 15_000 })
        .toMatch(/^ts-basic-service \(score 0\.\d+\) explains .*ts-travel-service/);
      await page.locator('.timeline-view .causal-chain path.link').first().waitFor();
      const before = await page.locator('#tl-h').innerText();
      await page.locator('canvas.timeline-canvas').focus();
      await page.keyboard.press('+');
      await expect.poll(() => page.locator('#tl-h').innerText()).not.toBe(before);
      await page.keyboard.press('0');
      await page.screenshot({ path: join(SHOTS, 'timeline.png') });
      await accessible(page, 'timeline');

      // service graph: drawn by Cytoscape, the same calls in a table; a service's detail on a click
      await page.locator('nav a', { hasText: 'Service graph' }).click();
      await page.locator('.cy canvas').first().waitFor();
      expect(await page.locator('table.calls tbody tr').count()).toBeGreaterThan(10);
      await page
        .locator('table.calls tbody tr', { hasText: 'ts-basic-service' })
        .first()
        .locator('button', { hasText: 'ts-basic-service' })
        .click();
      await page.locator('.service-detail').waitFor();
      expect(await page.locator('.service-detail').innerText()).toMatch(
        /ts-basic-service[\s\S]*spans\/min[\s\S]*called by .*ts-travel-service/,
      );
      // its RED over the hour as charts, and its busiest templates, error ones first with their badge
      await page.locator('.service-detail .time-chart canvas').nth(1).waitFor();
      await expect.poll(() => page.locator('.service-templates li').count()).toBeGreaterThan(0);
      expect(
        await page.locator('.service-templates li').first().locator('.badge.error').count(),
      ).toBe(1);
      await page.screenshot({ path: join(SHOTS, 'graph.png') });
      await accessible(page, 'service graph');

      // log patterns: templates with counts over time; search; the lines of a template
      await page.locator('nav a', { hasText: 'Log patterns' }).click();
      const patterns = page.locator('table.patterns-table tbody tr');
      await patterns.first().waitFor();
      expect(await patterns.count()).toBeGreaterThan(10);
      // titles show the message: fields that are only a variable (TraceID: <*>) left out
      const titles = await page.locator('table.patterns-table button.template').allInnerTexts();
      expect(titles.some((t) => /TraceID: <\*>|SpanID: <\*>/.test(t))).toBe(false);
      expect(
        await page.locator('table.patterns-table button.template').first().getAttribute('title'),
      ).toBeTruthy();
      await page.locator('.toolbar input[type=search]').fill('Get Route By Ids');
      await expect.poll(() => patterns.count()).toBeGreaterThan(0);
      expect(await page.locator('table.patterns-table').innerText()).toMatch(/getRoutesByRouteIds/);
      expect(
        await page
          .locator('table.patterns-table tbody tr', { hasText: 'Failed' })
          .locator('.badge.error')
          .count(),
      ).toBeGreaterThan(0);
      await patterns.first().locator('button.template').click();
      await expect.poll(() => page.locator('.drill li').count()).toBeGreaterThan(0);
      expect(await page.locator('.drill').innerText()).toMatch(
        /Get Route By Ids Failed|getRoutesByRouteIds/,
      );
      await page.locator('.toolbar input[type=search]').fill('');
      // one service's templates
      const all = await patterns.count();
      await page.locator('.toolbar select').selectOption('ts-basic-service');
      await expect.poll(() => patterns.count()).toBeLessThan(all);
      const basic = await page.locator('table.patterns-table').innerText();
      expect(basic).toMatch(/BasicServiceImpl/);
      expect(basic).not.toMatch(/OrderServiceImpl/);
      await page.locator('.toolbar select').selectOption('');
      await expect.poll(() => patterns.count()).toBe(all);
      await page.screenshot({ path: join(SHOTS, 'patterns.png') });
      await accessible(page, 'log patterns');

      // logs explorer, from a pattern: only that pattern's lines; then every pattern, free text,
      // a service and a level, each kept in the URL
      // the first template's lines may still be open from above (its button toggles them)
      if ((await page.locator('a.logs-link').count()) === 0)
        await patterns.first().locator('button.template').click();
      await page.locator('a.logs-link').first().click();
      await page.locator('#logs-h').waitFor();
      expect(page.url()).toMatch(/#\/logs\?range=1h&template=/);
      const logRows = page.locator('table.logs tbody tr');
      await expect.poll(() => logRows.count()).toBeGreaterThan(0);
      // every line shown is of the one pattern: none offers "same pattern"
      expect(await page.locator('table.logs tbody a', { hasText: 'same pattern' }).count()).toBe(0);
      await page.locator('a', { hasText: 'Show every pattern' }).click();
      await expect.poll(() => page.url()).not.toMatch(/template=/);
      await page.locator('form[role=search] input[type=search]').fill('Failed');
      await page.locator('form[role=search] button[type=submit]').click();
      await expect.poll(() => page.url()).toMatch(/q=Failed/);
      await expect.poll(() => logRows.count()).toBeGreaterThan(0);
      for (const body of await page.locator('table.logs tbody td code').allInnerTexts())
        expect(body.toLowerCase()).toContain('failed');
      await page.locator('form[role=search] select').first().selectOption('ts-basic-service');
      await expect.poll(() => page.url()).toMatch(/service=ts-basic-service/);
      await page.locator('form[role=search] select').nth(1).selectOption('error');
      await expect.poll(() => page.url()).toMatch(/severity=error/);
      await expect
        .poll(
          async () =>
            new Set(await page.locator('table.logs tbody td:nth-child(3)').allInnerTexts()),
        )
        .toEqual(new Set(['ts-basic-service']));
      for (const level of await page.locator('table.logs tbody td:nth-child(2)').allInnerTexts())
        expect(level).toMatch(/^(ERROR|FATAL)/i);
      // pinned to a time a person chose: the range ends there, in the URL; "Now" follows again
      await page.locator('.time-end input[type=datetime-local]').fill('2023-01-29T09:05');
      await expect.poll(() => page.url()).toMatch(/to=2023-01-29T09%3A05/);
      await expect
        .poll(() => page.locator('#logs-h .count').innerText())
        .toBe('2023-01-29 08:05 to 2023-01-29 09:05 UTC');
      await expect.poll(() => logRows.count()).toBeGreaterThan(0);
      for (const time of await page.locator('table.logs tbody time').all())
        expect(Date.parse((await time.getAttribute('datetime')) ?? '')).toBeLessThanOrEqual(
          Date.UTC(2023, 0, 29, 9, 5),
        );
      await page.locator('.time-end button', { hasText: 'Now' }).click();
      await expect.poll(() => page.url()).not.toMatch(/to=/);
      await page.locator('.time-end .following').waitFor();
      await page.screenshot({ path: join(SHOTS, 'logs.png') });
      await accessible(page, 'logs');
      // a deep link restores the same view
      const logsLink = await open(page.url());
      await expect.poll(() => logsLink.locator('table.logs tbody tr').count()).toBeGreaterThan(0);
      expect(await logsLink.locator('form[role=search] input[type=search]').inputValue()).toBe(
        'Failed',
      );
      // a line's trace opens as a waterfall in the traces explorer
      await logsLink.locator('table.logs tbody a.trace').first().click();
      await expect.poll(() => logsLink.url()).toMatch(/#\/traces\?.*trace=[0-9a-f]{32}/);
      await logsLink.locator('.waterfall tbody tr').first().waitFor();
      await logsLink.close();

      // metrics explorer: a service's metric names, a chart; the choice is in the URL
      await page.locator('nav a', { hasText: 'Metrics' }).click();
      await page.locator('#metrics-h').waitFor();
      await page.locator('.explorer select').first().selectOption('ts-basic-service');
      await expect.poll(() => page.url()).toMatch(/#\/metrics\?service=ts-basic-service/);
      await expect.poll(() => page.locator('.metric-names li').count()).toBeGreaterThan(3);
      await page.locator('.metric-names li button', { hasText: 'CpuUsage' }).first().click();
      await page.locator('.chart-pane .time-chart canvas').first().waitFor();
      expect(page.url()).toMatch(/name=CpuUsage/);
      expect(await page.locator('.chart-pane h3').first().innerText()).toMatch(
        /CpuUsage.*avg per \d+ s · 1 series/,
      );
      await page.screenshot({ path: join(SHOTS, 'metrics.png') });
      await accessible(page, 'metrics');

      // traces explorer: the slowest spans of a service with its RED charts; a span opens its trace; a deep link restores it
      await page.locator('nav a', { hasText: 'Traces' }).click();
      await page.locator('#traces-h').waitFor();
      await page.locator('.explorer select').first().selectOption('ts-basic-service');
      await expect.poll(() => page.url()).toMatch(/#\/traces\?service=ts-basic-service/);
      const spanRows = page.locator('table.spans tbody tr');
      await expect.poll(() => spanRows.count(), { timeout: 15_000 }).toBeGreaterThan(5);
      const durations = (await page.locator('table.spans tbody td.num').allInnerTexts()).map((t) =>
        Number.parseFloat(t),
      );
      expect(durations).toEqual([...durations].sort((a, b) => b - a));
      // the RED charts load beside the spans: both of them drawn
      await page.locator('.chart-row .time-chart canvas').nth(1).waitFor();
      await spanRows.first().locator('button.trace').click();
      await page.locator('.waterfall tbody tr').first().waitFor();
      expect(page.url()).toMatch(/trace=[0-9a-f]{32}/);
      await page.screenshot({ path: join(SHOTS, 'traces.png') });
      await accessible(page, 'traces');
      const traceLink = await open(page.url());
      await traceLink.locator('.waterfall tbody tr').first().waitFor();
      await traceLink.locator('.toolbar input[type=checkbox]').click();
      await expect.poll(() => traceLink.url()).toMatch(/status=error/);
      await expect
        .poll(() => traceLink.locator('.explorer p.empty, table.spans').first().innerText())
        .toMatch(/No span of ts-basic-service matches|error/);
      await traceLink.close();

      // analyses: upload a log file, get the report with its findings; it is kept in the history
      await page.locator('nav a', { hasText: 'Analyses' }).click();
      await page
        .locator('form input[type=file]')
        .setInputFiles(join(ROOT, 'examples', 'k8s-incident', 'payments.docker.log'));
      await page.locator('form button[type=submit]').click();
      await page.locator('.report-findings li').first().waitFor();
      expect(await page.locator('.report h2').innerText()).toMatch(
        /payments\.docker\.log[\s\S]*1,988 lines/,
      );
      expect(await page.locator('.report-findings').innerText()).toMatch(
        /CannotGetJdbcConnectionException|charge <\*> failed/,
      );
      await expect.poll(() => page.locator('.history li').count()).toBe(1);
      // a batch: several files analysed in the background, with upload then per-file progress, then the report
      await page
        .locator('form input[type=file]')
        .setInputFiles(
          ['checkout-api.containerd.log', 'payments.docker.log', 'inventory.log'].map((f) =>
            join(ROOT, 'examples', 'k8s-incident', f),
          ),
        );
      expect(await page.locator('form button[type=submit]').innerText()).toBe(
        'Analyse 3 files in the background',
      );
      await page.locator('form button[type=submit]').click();
      await page.locator('.batches li[data-status=done]').waitFor({ timeout: 30_000 });
      expect(await page.locator('.batches li').first().innerText()).toMatch(
        /3 files[\s\S]*done[\s\S]*open the report/,
      );
      await expect.poll(() => page.locator('.history li').count()).toBe(2);
      await page.screenshot({ path: join(SHOTS, 'analyses.png') });
      await accessible(page, 'analyses');
      await page.locator('.batches a', { hasText: 'open the report' }).click();
      await expect.poll(() => page.locator('.report h2').innerText()).toMatch(/^3 files/);

      // settings: create a key (shown once), revoke it; the model line says none is configured
      await page.locator('nav a', { hasText: 'Settings' }).click();
      await page.locator('form.toolbar input').fill('browser-test');
      await page.locator('form.toolbar button[type=submit]').click();
      await expect
        .poll(() => page.locator('.created').innerText())
        .toMatch(/New key, shown only now: bfk_/);
      await expect
        .poll(() => page.locator('table.keys tbody tr', { hasText: 'browser-test' }).count())
        .toBe(1);
      page.once('dialog', (d) => void d.accept());
      await page
        .locator('table.keys tbody tr', { hasText: 'browser-test' })
        .locator('button', { hasText: 'revoke' })
        .click();
      await expect
        .poll(() => page.locator('table.keys tbody tr', { hasText: 'browser-test' }).innerText())
        .toMatch(/revoked/);
      expect(await page.locator('.model').innerText()).toMatch(/no model configured/);
      // notifications: the destination (its path hidden) with figures; a test notice reaches it
      const dest = page.locator('table.notifiers tbody tr');
      await dest.first().waitFor();
      expect(await dest.first().innerText()).toMatch(/^webhook http:\/\/127\.0\.0\.1:\d+\/…/);
      expect(await dest.first().innerText()).not.toMatch(/secret-path/);
      await page.locator('button', { hasText: 'Send a test notice' }).click();
      await expect
        .poll(() => page.locator('.test-results').innerText())
        .toMatch(/delivered in \d+ ms/);
      expect(received).toContain('incident.test');
      await page.screenshot({ path: join(SHOTS, 'settings.png'), fullPage: true });
      await accessible(page, 'settings');
      await new Promise((ok) => hook.close(ok));
      // the theme toggle: system → light → dark, on the page's root
      await page.locator('button.theme').click();
      expect(await page.locator('html').getAttribute('data-theme')).toBe('light');
      await page.locator('button.theme').click();
      expect(await page.locator('html').getAttribute('data-theme')).toBe('dark');
      await page.screenshot({ path: join(SHOTS, 'settings-dark.png') });
      await accessible(page, 'settings (dark)');
      await page.locator('button.theme').click();

      // a deep link opens the same view
      const deep = await open(incidentUrl);
      await deep.locator('ol.causes > li').first().waitFor();
      await deep.close();

      // live: a burst of a new error in the last minute becomes an incident; the overview shows it without reload
      await page.goto(`${s.url}/#/`);
      await rows.first().waitFor();
      expect(await postLiveBurst(s.url)).toBe(200);
      await expect.poll(() => rows.count(), { timeout: 20_000 }).toBe(3);
      expect(await rows.first().innerText()).toMatch(/open[\s\S]*checkout/);
      expect((page as Page & { problems: string[] }).problems).toEqual([]);
      process.stderr.write(
        `dashboard: first incidents shown ${loadMs} ms after navigation (loopback)\n`,
      );
      await page.close();
    }, 90_000);

    it('asks for an API key when the server requires one, and then works with it', async () => {
      const keyed = tempDir('bifrost-web-keys-');
      const created = await runCli([
        'keys',
        'create',
        '--data',
        keyed,
        '--scope',
        'read',
        '--tenant',
        'default',
        '--name',
        'browser',
      ]);
      const key = created.stdout.trim();
      expect(key).toMatch(/^bfk_/);
      const s = await serve(['--data', keyed, '--auth', '--detect-every', 'off']);
      const page = await open(`${s.url}/`);
      await page.locator('form.key-prompt').waitFor();
      await page.screenshot({ path: join(SHOTS, 'api-key.png') });
      await page.locator('form.key-prompt input').fill(key);
      await page.locator('form.key-prompt button').click();
      await page.locator('#incidents-h').waitFor();
      expect(await page.locator('.empty').first().innerText()).toMatch(/No incidents/);
      await page.close();
    }, 60_000);
  },
);
