import { describe, expect, it } from 'vitest';
import { closeObjects, serializerCompiler } from './response-check.js';

const schema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    at: { type: 'string', format: 'date-time' },
    ref: { type: 'object', properties: { type: { type: 'string' } }, additionalProperties: true },
    items: { type: 'array', items: { type: 'object', properties: { n: { type: 'integer' } } } },
  },
  required: ['id'],
};

describe('response schemas', () => {
  it('closeObjects closes every object that does not say otherwise, and nothing else', () => {
    const closed = closeObjects(schema) as typeof schema & {
      additionalProperties: boolean;
      properties: { items: { items: { additionalProperties: boolean } } };
    };
    expect(closed.additionalProperties).toBe(false);
    expect(closed.properties.ref.additionalProperties).toBe(true);
    expect(closed.properties.items.items.additionalProperties).toBe(false);
    // a property named like a keyword is a property, not a keyword
    expect(
      closeObjects({
        type: 'object',
        properties: { type: { type: 'string' }, properties: { type: 'object', properties: {} } },
      }),
    ).toEqual({
      type: 'object',
      additionalProperties: false,
      properties: {
        type: { type: 'string' },
        properties: { type: 'object', properties: {}, additionalProperties: false },
      },
    });
    expect(schema).not.toHaveProperty('additionalProperties');
  });

  it('plain: JSON.stringify, nothing dropped or coerced; checked: a field the schema lacks, a wrong type or a bad date is a 500 naming the route', () => {
    const at = { schema, method: 'GET', url: '/api/v1/x', httpStatus: '200' };
    const odd = { id: 5, extra: true };
    expect(serializerCompiler(false)(at)(odd)).toBe(JSON.stringify(odd));
    const checked = serializerCompiler(true)(at);
    expect(
      checked({
        id: 'a',
        at: '2026-01-01T00:00:00.000Z',
        ref: { type: 'x', more: 1 },
        items: [{ n: 1 }],
        gone: undefined,
      }),
    ).toBe(
      '{"id":"a","at":"2026-01-01T00:00:00.000Z","ref":{"type":"x","more":1},"items":[{"n":1}]}',
    );
    expect(() => checked({ id: 'a', extra: true })).toThrow(
      /the 200 answer of GET \/api\/v1\/x does not match its response schema: \/ must NOT have additional properties \(extra\)/,
    );
    expect(() => checked({ id: 'a', items: [{ n: 1.5 }] })).toThrow(
      /\/items\/0\/n must be integer/,
    );
    expect(() => checked({ id: 'a', at: 'yesterday' })).toThrow(
      /\/at must match format "date-time"/,
    );
    expect(() => checked({})).toThrow(/must have required property 'id'/);
  });
});
