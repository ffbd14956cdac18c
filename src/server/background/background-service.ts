/** Where background work reports what it did and what failed (the server's pino logger). */
export interface BackgroundLog {
  info(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/**
 * Work the server does on its own beside answering requests: retention, the Kubernetes watch,
 * live incident detection. Started by startServer, each stopped on close: `stop()` ends its
 * timers or watches at once and resolves when work already under way has finished.
 */
export interface BackgroundService {
  readonly name: string;
  stop(): Promise<void>;
}
