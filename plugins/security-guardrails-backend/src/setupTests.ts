// Tests never start Docker: PostgreSQL is used where
// BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING points at a server.
process.env.BACKSTAGE_TEST_DISABLE_DOCKER ??= '1';

export {};
