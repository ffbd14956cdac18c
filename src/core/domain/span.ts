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
