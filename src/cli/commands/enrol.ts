import { chmodSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { dirname, join, resolve } from 'node:path';
import { Command, Option } from 'commander';
import { startEnrolment } from '../../adapters/crypto/hybrid-enrolment.js';
import { AppError } from '../../core/errors.js';
import type { CliContext } from '../context.js';

interface EnrolFlags {
  server: string;
  token?: string;
  keyFile: string;
  name?: string;
  ca?: string;
  force?: boolean;
  output: 'text' | 'json';
}

/** POSTs JSON and reads the JSON answer (any status); the TLS trust roots plus `ca` when given. */
function postJson(
  url: URL,
  body: unknown,
  ca: Buffer | undefined,
): Promise<{ status: number; body: unknown; bytes: number }> {
  const payload = Buffer.from(JSON.stringify(body));
  return new Promise((done, fail) => {
    const req = (url.protocol === 'https:' ? httpsRequest : httpRequest)(
      url,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': payload.length },
        timeout: 30_000,
        ...(ca === undefined ? {} : { ca }),
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          // an enrolment answer is about 2 KB: a large body is not one
          if (size > 1 << 20) req.destroy(new Error('the answer is larger than 1 MB'));
          else chunks.push(c);
        });
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown = text;
          try {
            parsed = JSON.parse(text);
          } catch {
            // kept as text: the caller says what came back
          }
          done({ status: res.statusCode ?? 0, body: parsed, bytes: size });
        });
        res.on('error', fail);
      },
    );
    req.on('timeout', () => req.destroy(new Error('no answer within 30 s')));
    req.on('error', fail);
    req.end(payload);
  });
}

function refusal(step: string, status: number, body: unknown): AppError {
  const message =
    typeof body === 'object' &&
    body !== null &&
    typeof (body as { message?: unknown }).message === 'string'
      ? (body as { message: string }).message
      : typeof body === 'string'
        ? body.slice(0, 200)
        : JSON.stringify(body).slice(0, 200);
  return new AppError(
    'INPUT.BAD_OPTION',
    `the server refused the ${step} (HTTP ${status}): ${message}`,
  );
}

/** Writes the key with mode 0600 (through a file beside it, renamed: never half written, never readable by others). */
function writeKey(path: string, key: string): void {
  const tmp = join(dirname(path), `.${Date.now().toString(36)}-${process.pid}.bifrost-key.tmp`);
  writeFileSync(tmp, key, { mode: 0o600, flag: 'wx' });
  chmodSync(tmp, 0o600);
  renameSync(tmp, path);
}

export function enrolCommand(ctx: CliContext): Command {
  const cmd = new Command('enrol')
    .description(
      'Enrol this host with a bifrost server: a one-time token and a hybrid post-quantum key exchange (X25519 + ML-KEM-768) give it an API key that never crosses the wire in clear, written to --key-file with mode 0600',
    )
    .requiredOption('--server <url>', 'the server, e.g. https://bifrost.example:4318')
    .option(
      '--token <token>',
      'the enrolment token (bifrost keys enrol-token) [env BIFROST_ENROL_TOKEN]',
    )
    .requiredOption(
      '--key-file <path>',
      'where to write the key (the path your Collector config reads)',
    )
    .option(
      '--name <text>',
      "what to call this host in `bifrost keys list` (default: the token's note)",
    )
    .option('--ca <file>', 'trust this CA certificate (PEM) for an https server with a private CA')
    .option('--force', 'replace an existing key file')
    .addOption(
      new Option('-o, --output <format>', 'format of the summary')
        .choices(['text', 'json'])
        .default('text'),
    );
  cmd.addHelpText(
    'after',
    `
The token is spent by this enrolment (one host per token). Nothing secret is sent in clear,
even over plain http: the token only proves itself (HMAC), and the key comes back sealed with
AES-256-GCM under a secret that needs both X25519 and ML-KEM-768 broken to recover.

Examples:
  bifrost enrol --server http://bifrost:4318 --token bfe_… --key-file /etc/otelcol/bifrost.key
  BIFROST_ENROL_TOKEN=bfe_… bifrost enrol --server https://bifrost:4318 --ca ca.pem --key-file key

Then, in the OpenTelemetry Collector's otlphttp exporter:
  headers: { authorization: "Bearer \${file:/etc/otelcol/bifrost.key}" }`,
  );
  cmd.action(async (flags: EnrolFlags) => {
    const token = flags.token ?? ctx.env.BIFROST_ENROL_TOKEN;
    if (token === undefined || token === '')
      throw new AppError(
        'INPUT.BAD_OPTION',
        'no token: pass --token bfe_… or set BIFROST_ENROL_TOKEN (bifrost keys enrol-token makes one)',
      );
    let base: URL;
    try {
      base = new URL(flags.server);
      if (base.protocol !== 'http:' && base.protocol !== 'https:') throw new Error('protocol');
    } catch {
      throw new AppError(
        'INPUT.BAD_OPTION',
        `--server "${flags.server}" is not an http or https URL (e.g. http://bifrost:4318)`,
      );
    }
    const keyFile = resolve(flags.keyFile);
    if (existsSync(keyFile) && flags.force !== true)
      throw new AppError(
        'INPUT.BAD_OPTION',
        `${keyFile} exists: pass --force to replace it (the old key stays valid until revoked)`,
      );
    if (!existsSync(dirname(keyFile)))
      throw new AppError(
        'INPUT.NOT_FOUND',
        `folder ${dirname(keyFile)} does not exist (for --key-file)`,
      );
    let ca: Buffer | undefined;
    if (flags.ca !== undefined) {
      try {
        ca = readFileSync(flags.ca);
      } catch (err) {
        throw new AppError('INPUT.UNREADABLE', `--ca ${flags.ca}: ${(err as Error).message}`);
      }
    }
    const started = performance.now();
    const host = startEnrolment(token, flags.name ?? '');
    const at = (path: string) => new URL(path, base.href.endsWith('/') ? base : `${base.href}/`);
    const send = async (step: string, path: string, body: unknown) => {
      try {
        return await postJson(at(path), body, ca);
      } catch (err) {
        throw new AppError(
          'INPUT.UNREADABLE',
          `cannot reach ${base.origin} for the ${step}: ${(err as Error).message}`,
        );
      }
    };
    const hello = await send('hello', 'api/v1/enrol/hello', host.hello);
    if (hello.status !== 200) throw refusal('hello', hello.status, hello.body);
    const { payload, confirm } = host.open(hello.body);
    const confirmed = await send('confirmation', 'api/v1/enrol/confirm', confirm);
    if (confirmed.status !== 201) throw refusal('confirmation', confirmed.status, confirmed.body);
    writeKey(keyFile, payload.key);
    const ms = performance.now() - started;
    const summary = {
      key: payload.id,
      tenant: payload.tenant,
      scope: payload.scope,
      keyFile,
      exchange: 'X25519 + ML-KEM-768, HKDF-SHA-256, AES-256-GCM',
      bytes: {
        hello: JSON.stringify(host.hello).length,
        reply: hello.bytes,
        confirm: JSON.stringify(confirm).length,
      },
      ms: Math.round(ms),
    };
    if (flags.output === 'json') return ctx.terminal.out(JSON.stringify(summary, null, 2) + '\n');
    return ctx.terminal.out(
      `enrolled: key ${payload.id} (tenant ${payload.tenant}, scope ${payload.scope}) written to ${keyFile} (mode 0600)\n` +
        `exchange: ${summary.exchange}; ${summary.bytes.hello} + ${summary.bytes.reply} + ${summary.bytes.confirm} bytes in ${summary.ms} ms\n`,
    );
  });
  return cmd;
}
