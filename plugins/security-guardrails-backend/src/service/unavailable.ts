/*
 * When a dependency is down (the database, or the catalog behind it), the
 * caller gets a 503 that says so and may retry, instead of an opaque 500.
 * Nothing about the failure beyond its kind leaves the backend. The log gets
 * the error's code and the driver's own message, never the SQL: knex puts the
 * statement, with its bound values filled in, in front of the driver's message.
 */
import { LoggerService } from '@backstage/backend-plugin-api';
import { ResponseError, ServiceUnavailableError } from '@backstage/errors';
import express from 'express';

/** PostgreSQL SQLSTATEs and socket errors that mean "not reachable right now". */
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
  '53300', // too_many_connections: the server takes no connection now
  '08000', // connection_exception
  '08001', // sqlclient_unable_to_establish_sqlconnection
  '08003', // connection_does_not_exist
  '08006', // connection_failure
  'SQLITE_BUSY',
]);
// node-postgres's own errors carry no code: a broken or closed client says it
// "is not queryable" (a ROLLBACK after the connection broke says so too).
const UNAVAILABLE_MESSAGES =
  /Timeout acquiring a connection|Connection terminated|is not queryable|the database system is (shutting down|starting up|in recovery mode)|terminating connection due to administrator command/i;

/** What is unavailable, or undefined when the error is something else. */
export function unavailableDependency(error: unknown): string | undefined {
  const seen = new Set<unknown>();
  for (let e: any = error; e && !seen.has(e); e = e.cause) {
    seen.add(e);
    const catalogDown =
      (e instanceof ResponseError && e.statusCode >= 500) ||
      e.name === 'FetchError';
    if (catalogDown) return 'The catalog';
    if (
      UNAVAILABLE_CODES.has(e.code) ||
      UNAVAILABLE_MESSAGES.test(e.message ?? '')
    )
      return 'The database';
  }
  return undefined;
}

/** The error's code and message without the SQL knex prefixes (" - " separated). */
export function driverMessage(error: any): string {
  const message = String(error?.message ?? error);
  const own = message.slice(message.lastIndexOf(' - ') + 1).replace(/^- /, '');
  const code = error?.code ? `${error.code} ` : '';
  return `${code}${own}`.slice(0, 300);
}

/** Error middleware: dependency outages become 503s, everything else passes on. */
export function unavailableAsServiceUnavailable(
  logger: LoggerService,
): express.ErrorRequestHandler {
  return (error, req, _res, next) => {
    const what = unavailableDependency(error);
    if (!what) {
      next(error);
      return;
    }
    logger.warn(
      `${req.method} ${
        req.path
      }: ${what.toLowerCase()} is unavailable: ${driverMessage(error)}`,
    );
    next(
      new ServiceUnavailableError(
        `${what} is unavailable right now; try again shortly`,
      ),
    );
  };
}
