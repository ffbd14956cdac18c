/**
 * The ingest bus between gateways and workers (`bifrost serve --bus`): a gateway's request is
 * acknowledged once the bus has stored it; workers take it from there, each holding whole
 * partitions (a tenant's requests all go to one partition, so one worker holds its template
 * miner and detectors), another worker taking a partition over when its holder stops.
 */
export interface BusRequest {
  tenant: string;
  /** metrics, logs or traces. */
  signal: string;
  /** The request's Content-Type (its body is sent decompressed). */
  contentType: string;
  /** The same request sent again (an exporter's retry) has the same id: the bus keeps it once. */
  id: string;
  body: Uint8Array;
}

/** A request as a worker receives it; `key` names it for writing it once (AppendEntry.key). */
export interface BusDelivery extends BusRequest {
  key: string;
  partition: number;
}

/** What a worker made of a delivery: written (acknowledge), worth another try later, or never storable. */
export type BusOutcome = 'done' | 'retry' | 'drop';

export interface IngestBusPort {
  /** Resolves once the bus has stored the request (replicated, when the bus is a cluster). */
  publish(request: BusRequest): Promise<void>;
  /** Takes partitions as a worker and hands their requests over in order until stopped. */
  work(worker: { id: string; handle(delivery: BusDelivery): Promise<BusOutcome> }): BusWorker;
  close(): Promise<void>;
}

export interface BusWorker {
  /** The partitions this worker holds now. */
  owned(): number[];
  stop(): Promise<void>;
}
