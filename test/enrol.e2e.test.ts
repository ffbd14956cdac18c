import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { connect } from 'node:tls';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli, tempDir } from './helpers/run-cli.js';
import { serve, stopServers } from './helpers/serve.js';

afterEach(stopServers);

/** A self-signed certificate for 127.0.0.1 (openssl, from Debian's openssl package). */
function certificate(dir: string, cn: string): { cert: string; key: string } {
  const cert = join(dir, `${cn}.crt`);
  const key = join(dir, `${cn}.key`);
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-days',
      '2',
      '-subj',
      `/CN=${cn}`,
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-keyout',
      key,
      '-out',
      cert,
    ],
    { stdio: 'ignore' },
  );
  return { cert, key };
}

/** POSTs over https trusting `ca`; the status. */
function post(
  url: string,
  path: string,
  body: string,
  headers: Record<string, string>,
  ca: Buffer,
) {
  return new Promise<number>((resolve, reject) => {
    const req = request(
      new URL(path, url),
      { method: 'POST', ca, headers: { 'content-type': 'application/json', ...headers } },
      (res) => {
        res.resume();
        res.on('end', () => {
          resolve(res.statusCode ?? 0);
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

function getJson(url: string, path: string, headers: Record<string, string>, ca: Buffer) {
  return new Promise<unknown>((resolve, reject) => {
    const req = request(new URL(path, url), { method: 'GET', ca, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      });
    });
    req.on('error', reject);
    req.end();
  });
}

/** The subject CN the server presents to a new connection. */
function presentedCn(url: string, ca: Buffer[]): Promise<string> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: u.hostname, port: Number(u.port), ca }, () => {
      const cn = socket.getPeerCertificate().subject.CN;
      socket.end();
      resolve(Array.isArray(cn) ? cn.join(',') : String(cn));
    });
    socket.on('error', reject);
  });
}

const metrics = JSON.stringify({
  resourceMetrics: [
    {
      resource: { attributes: [{ key: 'service.name', value: { stringValue: 'api' } }] },
      scopeMetrics: [
        {
          metrics: [
            {
              name: 'cpu',
              gauge: { dataPoints: [{ timeUnixNano: '1767225600000000000', asDouble: 1 }] },
            },
          ],
        },
      ],
    },
  ],
});

describe('bifrost enrol (spawned server over TLS, enrolment in another process)', () => {
  it('issues a key sealed by the hybrid exchange: OTLP accepted with it, refused with the token; reuse and forgery refused with nothing written; SIGHUP reloads the certificate', async () => {
    const dir = tempDir('bifrost-enrol-');
    const data = join(dir, 'data');
    const first = certificate(dir, 'bifrost-one');
    const made = await runCli([
      'keys',
      'enrol-token',
      '--data',
      data,
      '--scope',
      'ingest',
      '--tenant',
      'shop',
      '--ttl',
      '10m',
      '--name',
      'collectors',
    ]);
    expect(made.code, made.stderr).toBe(0);
    const token = made.stdout.trim();
    expect(token).toMatch(/^bfe_[\w-]{8}_[\w-]{43}$/);
    expect(made.stderr).toContain('one use, until');
    const admin = (
      await runCli(['keys', 'create', '--data', data, '--scope', 'admin', '--tenant', 'shop'])
    ).stdout.trim();
    const other = (
      await runCli(['keys', 'enrol-token', '--data', data, '--scope', 'read', '--tenant', 'shop'])
    ).stdout.trim();
    // TLS files are used where they are: the reload test overwrites them in place
    const certFile = join(dir, 'server.crt');
    const keyFile = join(dir, 'server.key');
    writeFileSync(certFile, readFileSync(first.cert));
    writeFileSync(keyFile, readFileSync(first.key));
    const s = await serve(['--data', data, '--auth', '--tls-cert', certFile, '--tls-key', keyFile]);
    expect(s.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(s.stderr()).toMatch(/tls: CN=bifrost-one, valid until .*key exchange: OpenSSL/);
    const ca = readFileSync(first.cert);

    const keyPath = join(dir, 'collector.key');
    const enrolled = await runCli([
      'enrol',
      '--server',
      s.url,
      '--token',
      token,
      '--key-file',
      keyPath,
      '--name',
      'node-7',
      '--ca',
      first.cert,
      '-o',
      'json',
    ]);
    expect(enrolled.code, enrolled.stderr).toBe(0);
    const summary = JSON.parse(enrolled.stdout) as {
      key: string;
      tenant: string;
      scope: string;
      bytes: { hello: number; reply: number; confirm: number };
      ms: number;
    };
    expect(summary).toMatchObject({ tenant: 'shop', scope: 'ingest' });
    expect(summary.bytes.hello).toBeGreaterThan(1500);
    expect(summary.bytes.reply).toBeGreaterThan(1400);
    const key = readFileSync(keyPath, 'utf8');
    expect(key).toMatch(/^bfk_[\w-]{8}_[\w-]{43}$/);
    expect(statSync(keyPath).mode & 0o777).toBe(0o600);

    expect(await post(s.url, '/v1/metrics', metrics, { authorization: `Bearer ${key}` }, ca)).toBe(
      200,
    );
    expect(
      await post(s.url, '/v1/metrics', metrics, { authorization: `Bearer ${token}` }, ca),
    ).toBe(401);

    // the admin sees how the key came to be
    const keys = (await getJson(
      s.url,
      '/api/v1/keys',
      { authorization: `Bearer ${admin}` },
      ca,
    )) as {
      items: { id: string; name: string; origin: unknown }[];
    };
    expect(keys.items.find((k) => k.id === summary.key)).toMatchObject({
      name: 'node-7',
      origin: { via: 'enrolment', token: token.slice(4, 12), address: '127.0.0.1' },
    });

    // the token again: refused, nothing written
    const reusedPath = join(dir, 'again.key');
    const reused = await runCli([
      'enrol',
      '--server',
      s.url,
      '--token',
      token,
      '--key-file',
      reusedPath,
      '--ca',
      first.cert,
    ]);
    expect(reused.code).toBe(2);
    expect(reused.stderr).toMatch(/HTTP 401\): enrolment token .* was already used/);
    expect(existsSync(reusedPath)).toBe(false);

    // another token whose secret was changed: its proof does not verify, and nothing is spent
    const forged = `${other.slice(0, 13)}${other[13] === 'A' ? 'B' : 'A'}${other.slice(14)}`;
    const enrolWith = (t: string) =>
      runCli([
        'enrol',
        '--server',
        s.url,
        '--token',
        t,
        '--key-file',
        reusedPath,
        '--ca',
        first.cert,
      ]);
    const forgedRun = await enrolWith(forged);
    expect(forgedRun.code).toBe(2);
    expect(forgedRun.stderr).toMatch(/HTTP 401\): the enrolment token's proof does not verify/);
    expect(existsSync(reusedPath)).toBe(false);
    const real = await enrolWith(other);
    expect(real.code, real.stderr).toBe(0);
    expect(readFileSync(reusedPath, 'utf8')).toMatch(/^bfk_/);

    // an existing key file is not replaced without --force
    const kept = await runCli([
      'enrol',
      '--server',
      s.url,
      '--token',
      token,
      '--key-file',
      keyPath,
    ]);
    expect(kept.code).toBe(2);
    expect(kept.stderr).toContain('exists: pass --force');

    // SIGHUP: a new certificate for new connections; a bad file keeps the old one
    const second = certificate(dir, 'bifrost-two');
    const both = [ca, readFileSync(second.cert)];
    expect(await presentedCn(s.url, both)).toBe('bifrost-one');
    writeFileSync(certFile, readFileSync(second.cert));
    writeFileSync(keyFile, readFileSync(second.key));
    s.child.kill('SIGHUP');
    await expect.poll(() => s.stderr(), { timeout: 5000 }).toContain('TLS certificate reloaded');
    expect(await presentedCn(s.url, both)).toBe('bifrost-two');
    writeFileSync(keyFile, 'not a key');
    s.child.kill('SIGHUP');
    await expect.poll(() => s.stderr(), { timeout: 5000 }).toContain('TLS not reloaded');
    expect(await presentedCn(s.url, both)).toBe('bifrost-two');
  });

  it('refuses a certificate and key that do not go together at start, naming the file', async () => {
    const dir = tempDir('bifrost-enrol-');
    const a = certificate(dir, 'a');
    const b = certificate(dir, 'b');
    const r = await runCli([
      'serve',
      '--memory',
      '--port',
      '0',
      '--tls-cert',
      a.cert,
      '--tls-key',
      b.key,
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`--tls-key ${b.key} does not go with --tls-cert ${a.cert}`);
    const half = await runCli(['serve', '--memory', '--port', '0', '--tls-cert', a.cert]);
    expect(half.code).toBe(2);
    expect(half.stderr).toContain('TLS needs both a certificate and its key');
  });
});
