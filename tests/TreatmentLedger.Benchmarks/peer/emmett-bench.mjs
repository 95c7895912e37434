// The peer of the ledger's benchmarks: Emmett (@event-driven-io/emmett-postgresql 0.42.0) on the same PostgreSQL.
// Run by tests/TreatmentLedger.Benchmarks from the scratch folder where ops/bench installed the npm packages:
//   node emmett-bench.mjs <postgresql:// url> <workload.json>
// The workload (written by the harness) holds the append streams and the replay stream; this prints one JSON line:
//   { versions, append: { reps: [{ count, seconds, nodeCpuMs, latenciesMs }] }, replay: { reps: [...] } }
// APIs used (from dist/index.d.ts of the installed packages): getPostgreSQLEventStore(connectionString, options),
// eventStore.schema.migrate(), appendToStream(streamName, events), aggregateStream(streamName, { evolve, initialState }),
// eventStore.close(); options.connectionOptions.pool takes a pg.Pool (so the pool holds one connection per client).
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { createRequire } from 'node:module';
import pg from 'pg';
import { getPostgreSQLEventStore } from '@event-driven-io/emmett-postgresql';

const [url, workloadPath] = process.argv.slice(2);
if (!url || !workloadPath) {
  console.error('usage: node emmett-bench.mjs <postgresql:// url> <workload.json>');
  process.exit(2);
}
const workload = JSON.parse(readFileSync(workloadPath, 'utf8'));
const log = (...args) => console.error('emmett-bench:', ...args);

const version = (name) => {
  const require = createRequire(import.meta.url);
  const entry = require.resolve(name);
  const marker = `node_modules/${name}/`;
  const root = entry.slice(0, entry.indexOf(marker) + marker.length);
  return JSON.parse(readFileSync(root + 'package.json', 'utf8')).version;
};

const pool = new pg.Pool({ connectionString: url, max: workload.concurrency });
const eventStore = getPostgreSQLEventStore(url, { connectionOptions: { pool } });
await eventStore.schema.migrate();

// Append: each stream opened by its first event (not timed); then, per repetition, `rounds` more events per stream,
// one event per appendToStream call, `concurrency` workers each owning the streams whose index is its number modulo
// the worker count, like the ledger's harness.
const streams = workload.streams;
const next = streams.map(() => 1);
const runWorkers = async (plan, op) => {
  const latencies = [];
  const cpu = process.cpuUsage();
  const start = performance.now();
  await Promise.all(plan.map(async (items) => {
    for (const item of items) {
      const t = performance.now();
      await op(item);
      latencies.push(performance.now() - t);
    }
  }));
  const used = process.cpuUsage(cpu);
  return { count: latencies.length, seconds: (performance.now() - start) / 1000, nodeCpuMs: (used.user + used.system) / 1000, latenciesMs: latencies };
};

log(`opening ${streams.length} streams`);
await runWorkers(
  Array.from({ length: workload.concurrency }, (_, w) => streams.filter((_, i) => i % workload.concurrency === w)),
  (s) => eventStore.appendToStream(s.id, [s.events[0]]));

const appendReps = [];
for (let rep = 0; rep < workload.appendWarmups + workload.appendReps; rep++) {
  const plan = Array.from({ length: workload.concurrency }, () => []);
  for (let r = 0; r < workload.appendRoundsPerRep; r++)
    streams.forEach((s, i) => plan[i % workload.concurrency].push({ stream: s.id, event: s.events[next[i] + r] }));
  streams.forEach((_, i) => { next[i] += workload.appendRoundsPerRep; });
  const result = await runWorkers(plan, (item) => eventStore.appendToStream(item.stream, [item.event]));
  log(`append rep ${rep}: ${result.count} events in ${result.seconds.toFixed(2)} s`);
  if (rep >= workload.appendWarmups) appendReps.push(result);
}

// Replay: one stream of the replay case's events, aggregated with a trivial evolve, one call at a time.
const replay = workload.replay;
await eventStore.appendToStream(replay.streamId, replay.events);
const evolve = (state, event) => ({ count: state.count + 1, lastType: event.type });
const initialState = () => ({ count: 0, lastType: null });
const aggregate = async () => {
  const result = await eventStore.aggregateStream(replay.streamId, { evolve, initialState });
  if (result.state.count !== replay.events.length) throw new Error(`folded ${result.state.count} events, expected ${replay.events.length}`);
};
for (let i = 0; i < replay.warmupCalls; i++) await aggregate();
const replayReps = [];
for (let rep = 0; rep < replay.reps; rep++) {
  const items = Array.from({ length: replay.callsPerRep }, (_, i) => i);
  replayReps.push(await runWorkers([items], aggregate));
}

await eventStore.close();
await pool.end().catch(() => {});
console.log(JSON.stringify({
  versions: {
    node: process.version,
    emmett: version('@event-driven-io/emmett'),
    emmettPostgresql: version('@event-driven-io/emmett-postgresql'),
    pg: version('pg'),
  },
  append: { reps: appendReps },
  replay: { reps: replayReps },
}));
