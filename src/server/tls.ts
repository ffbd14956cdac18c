import { readFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { createSecureContext } from 'node:tls';
import type { Server as TlsServer } from 'node:tls';
import { AppError } from '../core/errors.js';

export interface TlsFiles {
  cert: Buffer;
  key: Buffer;
  /** "CN=bifrost.example, valid until 2027-12-07T…", for the start-up line and the reload log. */
  summary: string;
}

function read(file: string, flag: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    throw new AppError('INPUT.UNREADABLE', `${flag} ${file}: ${(err as Error).message}`, {
      field: flag,
    });
  }
}

/** Reads and checks the PEM certificate chain and key: a bad file fails here, with its name, not at the first handshake. */
export function readTls(files: { certFile: string; keyFile: string }): TlsFiles {
  const cert = read(files.certFile, '--tls-cert');
  const key = read(files.keyFile, '--tls-key');
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(cert);
  } catch (err) {
    throw new AppError(
      'INPUT.BAD_OPTION',
      `--tls-cert ${files.certFile} is not a PEM certificate (${(err as Error).message})`,
      { field: '--tls-cert' },
    );
  }
  try {
    createSecureContext({ cert, key });
  } catch (err) {
    throw new AppError(
      'INPUT.BAD_OPTION',
      `--tls-key ${files.keyFile} does not go with --tls-cert ${files.certFile} or is not a PEM key (${(err as Error).message})`,
      { field: '--tls-key' },
    );
  }
  const subject = x509.subject.split('\n').join(', ');
  return { cert, key, summary: `${subject}, valid until ${new Date(x509.validTo).toISOString()}` };
}

/**
 * The key-exchange groups this Node's OpenSSL offers TLS 1.3 (OpenSSL 3.0: X25519, P-256, X448,
 * P-521, P-384, FFDHE): no post-quantum hybrid group, which arrives with OpenSSL 3.5
 * (X25519MLKEM768). Enrolment carries its own X25519 + ML-KEM-768 exchange meanwhile.
 */
export function tlsGroupsNote(): string {
  const [major = 0, minor = 0] = process.versions.openssl.split('.').map(Number);
  const pq = major > 3 || (major === 3 && minor >= 5);
  return `OpenSSL ${process.versions.openssl}: ${pq ? 'X25519MLKEM768 offered beside X25519 and P-256' : 'X25519, P-256, X448, P-521, P-384 (no post-quantum group before OpenSSL 3.5; enrolment carries its own X25519 + ML-KEM-768)'}`;
}

/**
 * Loads the files again and swaps them into the listening server: new connections get the new
 * certificate, open ones keep theirs. A bad file leaves the old certificate in place (throws).
 */
export function reloadTls(server: TlsServer, files: { certFile: string; keyFile: string }): string {
  const next = readTls(files);
  server.setSecureContext({ cert: next.cert, key: next.key });
  return next.summary;
}
