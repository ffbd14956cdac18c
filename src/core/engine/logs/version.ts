/** Bumped whenever parsing or findings change: part of the result cache key. */
export const LOG_ENGINE_VERSION = '0.2.0';
