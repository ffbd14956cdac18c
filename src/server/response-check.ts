import { Ajv } from 'ajv';
import { AppError } from '../core/errors.js';

/** RFC 3339 date-time as toISOString writes it (and any zone). */
const DATE_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/;

/**
 * A copy of a response schema in which every object that does not say otherwise is closed
 * (additionalProperties: false), so a field a route returns and its schema does not list fails.
 */
export function closeObjects(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(closeObjects);
  if (schema === null || typeof schema !== 'object') return schema;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(schema))
    out[k] =
      k === 'properties' && v !== null && typeof v === 'object'
        ? Object.fromEntries(
            Object.entries(v as Record<string, unknown>).map(([name, s]) => [
              name,
              closeObjects(s),
            ]),
          )
        : closeObjects(v);
  if (
    out.type === 'object' &&
    out.properties !== undefined &&
    out.additionalProperties === undefined
  )
    out.additionalProperties = false;
  return out;
}

/**
 * Fastify serializer compilers. `plain`: JSON.stringify, as a route without a response schema
 * answers (a schema documents the answer; nothing is dropped or coerced). `checked`: the same
 * after checking the answer against its closed schema; a mismatch is a 500 that names the route,
 * the status and the first fields at fault. `shared`: the schemas answers name by $ref.
 */
export function serializerCompiler(check: boolean, shared: readonly object[] = []) {
  const ajv = check
    ? new Ajv({ allErrors: true, strict: false, formats: { 'date-time': DATE_TIME } })
    : undefined;
  for (const s of shared) ajv?.addSchema(closeObjects(s) as object);
  return ({
    schema,
    method,
    url,
    httpStatus,
  }: {
    schema: unknown;
    method: string;
    url: string;
    httpStatus?: string;
  }) => {
    if (ajv === undefined) return (data: unknown) => JSON.stringify(data);
    const validate = ajv.compile(closeObjects(schema) as object);
    return (data: unknown) => {
      const json = JSON.stringify(data);
      // what the client receives, not what the route held (undefined fields, dates as strings)
      if (!validate(JSON.parse(json))) {
        const where = (validate.errors ?? [])
          .slice(0, 3)
          .map(
            (e) =>
              `${e.instancePath || '/'} ${e.message ?? ''}${e.params.additionalProperty === undefined ? '' : ` (${String(e.params.additionalProperty)})`}`,
          );
        throw new AppError(
          'INTERNAL',
          `the ${httpStatus ?? ''} answer of ${method} ${url} does not match its response schema: ${where.join('; ')}`,
          {},
        );
      }
      return json;
    };
  };
}
