import { mockServices } from '@backstage/backend-test-utils';
import { ResponseError } from '@backstage/errors';
import express from 'express';
import Router from 'express-promise-router';
import request from 'supertest';
import { MiddlewareFactory } from '@backstage/backend-defaults/rootHttpRouter';
import {
  driverMessage,
  unavailableAsServiceUnavailable,
  unavailableDependency,
} from './unavailable';

const pgError = (code: string, message: string) =>
  Object.assign(new Error(message), { code });

describe('unavailableDependency', () => {
  it.each([
    [
      pgError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432'),
      'The database',
    ],
    [
      pgError('57P01', 'terminating connection due to administrator command'),
      'The database',
    ],
    [pgError('57P03', 'the database system is starting up'), 'The database'],
    [pgError('53300', 'sorry, too many clients already'), 'The database'],
    [
      new Error(
        'Knex: Timeout acquiring a connection. The pool is probably full.',
      ),
      'The database',
    ],
    [
      // Seen with PostgreSQL stopped under load: the ROLLBACK of a transaction
      // whose connection broke.
      new Error(
        'ROLLBACK - Client has encountered a connection error and is not queryable',
      ),
      'The database',
    ],
    [
      new Error('wrapped', { cause: pgError('08006', 'connection failure') }),
      'The database',
    ],
    [
      Object.assign(new Error('invalid json response body'), {
        name: 'FetchError',
      }),
      'The catalog',
    ],
  ])('%s is %s being unavailable', (error, what) => {
    expect(unavailableDependency(error)).toBe(what);
  });

  it('leaves every other error alone', async () => {
    expect(unavailableDependency(new Error('boom'))).toBeUndefined();
    expect(
      unavailableDependency(pgError('23505', 'duplicate key')),
    ).toBeUndefined();
    const notFound = await ResponseError.fromResponse({
      status: 404,
      statusText: 'Not Found',
      headers: new Headers(),
      text: async () => '',
      url: 'http://catalog',
    } as any);
    expect(unavailableDependency(notFound)).toBeUndefined();
    const cyclic: any = new Error('cyclic');
    cyclic.cause = cyclic;
    expect(unavailableDependency(cyclic)).toBeUndefined();
  });

  it('answers 503 with a message that names the dependency, and nothing of the error', async () => {
    const logger = mockServices.logger.mock();
    const router = Router();
    router.get('/down', async () => {
      throw pgError('57P01', 'terminating connection; secret-ish detail');
    });
    router.get('/bug', async () => {
      throw new Error('a bug');
    });
    router.use(unavailableAsServiceUnavailable(logger));
    const app = express();
    app.use(router);
    app.use(
      MiddlewareFactory.create({
        config: mockServices.rootConfig(),
        logger: mockServices.logger.mock(),
      }).error(),
    );
    const down = await request(app).get('/down');
    expect(down.status).toBe(503);
    expect(down.body.error.name).toBe('ServiceUnavailableError');
    expect(down.body.error.message).toBe(
      'The database is unavailable right now; try again shortly',
    );
    expect(JSON.stringify(down.body)).not.toContain('secret-ish');
    expect(logger.warn).toHaveBeenCalledWith(
      expect.stringContaining('the database is unavailable'),
    );
    expect((await request(app).get('/bug')).status).toBe(500);
  });

  it('logs the driver message and code, never the SQL with its bound values', () => {
    const error: any = new Error(
      "insert into guardrails_access_requests (justification) values ('INC-42 password hunter2') - Connection terminated unexpectedly",
    );
    error.code = 'ECONNRESET';
    expect(driverMessage(error)).toBe(
      'ECONNRESET Connection terminated unexpectedly',
    );
    expect(driverMessage(new Error('Timeout acquiring a connection'))).toBe(
      'Timeout acquiring a connection',
    );
  });
});
