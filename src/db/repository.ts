/** What every repository shares: its connection, statements prepared once and reused, transactions. */
import type { Db, Statement } from './database.js';

export abstract class Repository {
  private readonly statements = new Map<string, Statement>();

  constructor(protected readonly db: Db) {}

  /** A prepared statement for `sql`; with `safeIntegers` its integers come back as bigints (64-bit ids). */
  protected statement(sql: string, safeIntegers = false): Statement {
    const key = `${safeIntegers ? 'S' : 'N'}${sql}`;
    let statement = this.statements.get(key);
    if (statement === undefined) {
      statement = this.db.prepare(sql);
      if (safeIntegers) {
        statement.safeIntegers(true);
      }
      this.statements.set(key, statement);
    }
    return statement;
  }

  transaction<T>(work: () => T): T {
    return this.db.transaction(work)();
  }
}
