// Runs one of the dashboard's queries (src/queries/NAME.sql, plain SQL over kam and the
// sample CRM, the same text a Metabase native question runs) against the database the PG*
// environment names, and writes its rows as JSON on standard output (a Framework data loader).
import fs from "node:fs";
import pg from "pg";

// numeric and bigint as numbers, dates as their ISO text
pg.types.setTypeParser(pg.types.builtins.NUMERIC, parseFloat);
pg.types.setTypeParser(pg.types.builtins.INT8, Number);
pg.types.setTypeParser(pg.types.builtins.DATE, (s) => s);

export async function emit(name) {
  const sql = fs.readFileSync(new URL(`../src/queries/${name}.sql`, import.meta.url), "utf8");
  const client = new pg.Client();
  await client.connect();
  try {
    const {rows} = await client.query(sql);
    process.stdout.write(JSON.stringify(rows));
  } finally {
    await client.end();
  }
}
