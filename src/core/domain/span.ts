import type { LogResource } from './log-record.js';

/** One span as received (OTLP), ids in lowercase hex. */
export interface Span {
  traceId: string;
  spanId: string;
  /** '' for a root span. */
  parentSpanId: string;
  /** The operation (OTLP span name). */
  name: string;
  /** OTLP SpanKind: 0 unspecified, 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  kind: number;
  startMs: number;
  endMs: number;
  /** OTLP status code: 0 unset, 1 ok, 2 error. */
  statusCode: number;
  statusMessage: string;
  resource: LogResource;
  /** Span attributes as canonical JSON. */
  attributes: string;
}

/** OTLP status codes of a span (Status.code). */
export const SPAN_STATUS = { UNSET: 0, OK: 1, ERROR: 2 } as const;

/** OTLP SpanKind CLIENT: a call to another service, whose span (if traced) is its child. */
export const SPAN_KIND_CLIENT = 3;

/**
 * What makes a span the same span when it is sent again (an exporter's retry, overlapping
 * exports): its trace, its id and its start. The stores keep one span per key.
 */
export function spanCopyKey(sp: Pick<Span, 'traceId' | 'spanId' | 'startMs'>): string {
  return `${sp.traceId}/${sp.spanId}/${sp.startMs}`;
}

/** The attributes that name a CLIENT span's peer, in order of preference (OpenTelemetry semantic conventions, old and new). */
export const PEER_ATTRIBUTES = ['peer.service', 'server.address', 'net.peer.name'] as const;
/** Else the host of the URL called. */
export const PEER_URL_ATTRIBUTES = ['url.full', 'http.url'] as const;
/** A URL's host (after any user info, before a port, path, query or fragment). */
export const URL_HOST = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/(?:[^/?#@]*@)?([^/:?#]+)/;

/** The peer a CLIENT span's attributes (canonical JSON) name, in lower case; undefined when none. */
export function peerOf(attributes: string): string | undefined {
  let a: unknown;
  try {
    a = JSON.parse(attributes);
  } catch {
    return undefined;
  }
  if (typeof a !== 'object' || a === null) return undefined;
  const attrs = a as Record<string, unknown>;
  for (const k of PEER_ATTRIBUTES) {
    const v = attrs[k];
    if (typeof v === 'string' && v !== '') return v.toLowerCase();
  }
  for (const k of PEER_URL_ATTRIBUTES) {
    const v = attrs[k];
    const host = typeof v === 'string' ? URL_HOST.exec(v)?.[1] : undefined;
    if (host !== undefined && host !== '') return host.toLowerCase();
  }
  return undefined;
}
