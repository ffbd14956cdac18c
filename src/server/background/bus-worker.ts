import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { BusDelivery, BusOutcome } from '../../core/ports/ingest-bus.port.js';
import { BUS_HEADERS } from '../context.js';
import type { ServerContext } from '../context.js';
import type { BackgroundLog, BackgroundService } from './background-service.js';

/**
 * A worker (`serve --role worker --bus …`): takes its share of the bus's partitions and writes
 * each request through this server's own OTLP routes (app.inject: decoded, checked, scored or
 * templated, written with its bus key, so a request delivered again is not written twice), then
 * acknowledges it. Malformed requests are dropped (the bus does not send them again); a request
 * refused for now (a full queue, the store down) is sent again later.
 */
export function startBusWorker(
  ctx: Required<Pick<ServerContext, 'bus'>> & Pick<ServerContext, 'metrics'>,
  app: FastifyInstance,
  log: BackgroundLog,
): BackgroundService {
  const { bus, metrics } = ctx;
  const handle = async (d: BusDelivery): Promise<BusOutcome> => {
    const r = await app.inject({
      method: 'POST',
      url: `/v1/${d.signal}`,
      headers: {
        'content-type': d.contentType,
        [BUS_HEADERS.token]: bus.token,
        [BUS_HEADERS.tenant]: d.tenant,
        [BUS_HEADERS.key]: d.key,
      },
      payload: Buffer.from(d.body),
    });
    const outcome: BusOutcome =
      r.statusCode === 200 ? 'done' : r.statusCode >= 400 && r.statusCode < 429 ? 'drop' : 'retry';
    metrics.busDelivered.inc({ outcome });
    if (outcome === 'drop')
      log.error(
        { tenant: d.tenant, signal: d.signal, status: r.statusCode, key: d.key },
        `bus: request dropped: ${r.body.slice(0, 200)}`,
      );
    return outcome;
  };
  const worker = bus.port.work({
    id: `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`,
    handle,
  });
  return { name: 'bus worker', stop: () => worker.stop() };
}
