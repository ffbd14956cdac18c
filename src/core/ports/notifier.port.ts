import type { Incident } from '../domain/incident.js';

/** What a notification says: one change of one incident. */
export interface IncidentNotice {
  /** opened, updated, acknowledged, resolved, reopened */
  type: string;
  tenant: string;
  incident: Incident;
  /** Unique per notice: receivers can drop a repeated delivery. */
  deliveryId: string;
  /** Where the incident can be read (the server's API), when known. */
  link?: string;
}

/** A failed delivery: whether trying again can help, and when. */
export class NotifyError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

/** Sends incident notices somewhere (chat, a webhook). Throws NotifyError on failure. */
export interface NotifierPort {
  /** For logs and errors: "slack", "webhook https://…". */
  readonly name: string;
  send(notice: IncidentNotice): Promise<void>;
}
