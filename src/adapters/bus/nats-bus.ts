/**
 * The ingest bus on NATS JetStream (`--bus nats://host:4222[,nats://…]`): one stream,
 * BIFROST_INGEST, with a subject per partition; a gateway publishes each request to its tenant's
 * partition and answers once JetStream has stored it (PubAck; with replicas, once a quorum has).
 * Each partition has a durable pull consumer; a worker holds a partition by a lease in a NATS KV
 * bucket (renewed every few seconds, gone when not renewed), so one worker at a time reads a
 * partition, in order. Workers share the partitions evenly (each takes its share of those free,
 * and gives back what it holds past its share); when a worker stops, its leases lapse and the
 * others take its partitions over, reading on from what it had acknowledged.
 */
import { connect } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/transport-node';
import { headers, nanos } from '@nats-io/transport-node';
import {
  AckPolicy,
  DeliverPolicy,
  StorageType,
  jetstream,
  jetstreamManager,
} from '@nats-io/jetstream';
import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import type { KV } from '@nats-io/kv';
import { fnv1a32 } from '../../core/domain/hash.js';
import { AppError } from '../../core/errors.js';
import type {
  BusDelivery,
  BusOutcome,
  BusRequest,
  BusWorker,
  IngestBusPort,
} from '../../core/ports/ingest-bus.port.js';

export const STREAM = 'BIFROST_INGEST';
/** Partitions of the stream: every node must agree, so it is fixed. */
export const PARTITIONS = 16;
const SUBJECT = 'bifrost.ingest';
const LEASES = 'bifrost-leases';

export interface NatsBusOptions {
  /** nats://host:port, several separated by commas (a cluster's nodes). */
  url: string;
  /** Copies JetStream keeps of each request (3 in a cluster of three or more; 1 alone). */
  replicas?: number;
  /** How long a worker's lease lasts unless renewed (it renews a third of the way). */
  leaseMs?: number;
  /** How long a delivered request may go unacknowledged before it is delivered again. */
  ackWaitMs?: number;
}

export const partitionOf = (tenant: string): number => fnv1a32(tenant) % PARTITIONS;

/** Connects, and makes the stream, its consumers and the lease bucket when missing. */
export async function openNatsBus(options: NatsBusOptions): Promise<IngestBusPort> {
  const servers = options.url.split(',').map((s) => s.trim());
  const replicas = options.replicas ?? 1;
  const leaseMs = options.leaseMs ?? 9_000;
  const ackWaitMs = options.ackWaitMs ?? 10_000;
  let nc: NatsConnection;
  try {
    nc = await connect({ servers, maxReconnectAttempts: -1, reconnectTimeWait: 250 });
  } catch (err) {
    throw new AppError(
      'STORE.UNAVAILABLE',
      `cannot reach the NATS bus at ${options.url}: ${(err as Error).message} (is nats-server running with JetStream, -js?)`,
      { url: options.url },
      err,
    );
  }
  let jsm: JetStreamManager;
  let kv: KV;
  try {
    jsm = await jetstreamManager(nc);
    const config = {
      name: STREAM,
      subjects: [`${SUBJECT}.*`],
      storage: StorageType.File,
      num_replicas: replicas,
      // an exporter's retry within two minutes is kept once (its id is the request's hash)
      duplicate_window: nanos(120_000),
    };
    try {
      await jsm.streams.info(STREAM);
    } catch {
      await jsm.streams.add(config).catch(async (err: unknown) => {
        // another node made it meanwhile
        await jsm.streams.info(STREAM).catch(() => {
          throw err;
        });
      });
    }
    for (let p = 0; p < PARTITIONS; p++)
      await jsm.consumers.add(STREAM, {
        durable_name: `p${p}`,
        filter_subject: `${SUBJECT}.${p}`,
        ack_policy: AckPolicy.Explicit,
        deliver_policy: DeliverPolicy.All,
        ack_wait: nanos(ackWaitMs),
        max_ack_pending: 1_000,
        num_replicas: replicas,
      });
    kv = await new Kvm(nc).create(LEASES, { ttl: leaseMs, history: 1, replicas });
  } catch (err) {
    await nc.close().catch(() => undefined);
    throw new AppError(
      'STORE.UNAVAILABLE',
      `the NATS bus at ${options.url} has no usable JetStream: ${(err as Error).message} (start nats-server with -js; a cluster needs at least ${replicas} nodes for ${replicas} replicas)`,
      { url: options.url },
      err,
    );
  }
  const js: JetStreamClient = jetstream(nc, { timeout: 10_000 });
  const workers = new Set<BusWorker>();
  return {
    async publish(r: BusRequest) {
      const h = headers();
      h.set('bifrost-tenant', r.tenant);
      h.set('bifrost-signal', r.signal);
      h.set('content-type', r.contentType);
      try {
        await js.publish(`${SUBJECT}.${partitionOf(r.tenant)}`, r.body, {
          msgID: r.id,
          headers: h,
        });
      } catch (err) {
        throw new AppError(
          'STORE.UNAVAILABLE',
          `the bus did not store the request: ${(err as Error).message}`,
          {},
          err,
        );
      }
    },
    work(worker) {
      const w = partitionWorker(js, kv, worker, leaseMs);
      workers.add(w);
      return {
        owned: () => w.owned(),
        stop: async () => {
          workers.delete(w);
          await w.stop();
        },
      };
    },
    async close() {
      for (const w of [...workers]) await w.stop();
      workers.clear();
      await nc.drain().catch(() => undefined);
    },
  };
}

/**
 * A worker's loop: every third of a lease it renews its leases, counts the workers (their
 * presence keys), takes free partitions up to its share and gives back those past it; each
 * partition it holds is read by a loop of its own, in order, one request at a time.
 */
function partitionWorker(
  js: JetStreamClient,
  kv: KV,
  worker: { id: string; handle(d: BusDelivery): Promise<BusOutcome> },
  leaseMs: number,
): BusWorker {
  const held = new Map<number, { revision: number; reading: Promise<void> }>();
  const state = { stopped: false };
  let presence: number | undefined;
  const lost = (p: number) => {
    held.delete(p);
  };
  /** Whether this worker still reads partition p (it may stop, or lose the lease, at any await). */
  const reading = (p: number) => !state.stopped && held.has(p);
  const read = async (p: number): Promise<void> => {
    const consumer = await js.consumers.get(STREAM, `p${p}`);
    while (reading(p)) {
      let batch;
      try {
        batch = await consumer.fetch({ max_messages: 64, expires: 1_000 });
      } catch {
        await pause(250);
        continue;
      }
      for await (const m of batch) {
        if (!reading(p)) {
          // no longer ours: the next holder gets it again at once
          m.nak();
          continue;
        }
        const delivery: BusDelivery = {
          tenant: m.headers?.get('bifrost-tenant') ?? '',
          signal: m.headers?.get('bifrost-signal') ?? '',
          contentType: m.headers?.get('content-type') ?? 'application/x-protobuf',
          id: m.headers?.get('Nats-Msg-Id') ?? '',
          body: m.data,
          key: `bus:${STREAM}:${m.seq}`,
          partition: p,
        };
        let outcome: BusOutcome;
        try {
          outcome = await worker.handle(delivery);
        } catch {
          outcome = 'retry';
        }
        if (outcome === 'done') m.ack();
        else if (outcome === 'drop') m.term();
        else m.nak(1_000);
      }
    }
  };
  const tick = async (): Promise<void> => {
    // presence: how many workers share the partitions
    try {
      presence =
        presence === undefined
          ? await kv.put(`worker.${worker.id}`, worker.id)
          : await kv.update(`worker.${worker.id}`, worker.id, presence);
    } catch {
      presence = await kv.put(`worker.${worker.id}`, worker.id).catch(() => undefined);
    }
    let workers = 1;
    try {
      workers = Math.max(1, (await collect(await kv.keys('worker.*'))).length);
    } catch {
      // keep the last share
    }
    const share = Math.ceil(PARTITIONS / workers);
    // renew what is held; a lease renewed by nobody else cannot fail unless it lapsed
    for (const [p, h] of [...held]) {
      try {
        h.revision = await kv.update(`partition.${p}`, worker.id, h.revision);
      } catch {
        lost(p);
      }
    }
    // give back what is past the share (the highest first), take free ones up to it
    for (const p of [...held.keys()]
      .sort((a, b) => b - a)
      .slice(0, Math.max(0, held.size - share))) {
      lost(p);
      await kv.delete(`partition.${p}`).catch(() => undefined);
    }
    for (let p = 0; p < PARTITIONS && held.size < share; p++) {
      if (held.has(p)) continue;
      try {
        const revision = await kv.create(`partition.${p}`, worker.id);
        const entry = { revision, reading: Promise.resolve() };
        held.set(p, entry);
        entry.reading = read(p).catch(() => {
          lost(p);
        });
      } catch {
        // held by another worker
      }
    }
  };
  const loop = (async () => {
    while (!state.stopped) {
      await tick().catch(() => undefined);
      await pause(leaseMs / 3);
    }
  })();
  return {
    owned: () => [...held.keys()].sort((a, b) => a - b),
    async stop() {
      if (state.stopped) return;
      state.stopped = true;
      const reading = [...held.values()].map((h) => h.reading);
      await loop;
      await Promise.all(reading);
      for (const p of [...held.keys()]) await kv.delete(`partition.${p}`).catch(() => undefined);
      held.clear();
      await kv.delete(`worker.${worker.id}`).catch(() => undefined);
    },
  };
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function collect(it: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const k of it) out.push(k);
  return out;
}
