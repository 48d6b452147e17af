// The event stream seen by a real, third-party WHATWG EventSource client (the npm `eventsource`
// package), through a TCP relay that this test cuts on demand: no event may be lost or doubled
// across connection cuts, including a cut right after `connected` (before any numbered event),
// and a client that comes back too late must be told to `resync`.
//
// Run with `node --test end2end/node/` (or `make node-test`, which builds the server first).
// LONGBOX_BIN names the server binary (default target/debug/longbox, from the repo root).
// Everything runs on 127.0.0.1; every loop is bounded in count and time.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { EventSource } from 'eventsource';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const BIN = path.resolve(ROOT, process.env.LONGBOX_BIN || 'target/debug/longbox');
const HOST = '127.0.0.1';

// ---------------------------------------------------------------------------------------------
// The server

/** Extra flags the binary needs to be reachable without credentials, if it has such a flag. */
function authFlags() {
  const help = spawnSync(BIN, ['--help'], { encoding: 'utf8', timeout: 10_000 });
  if (help.error) throw new Error(`cannot run ${BIN}: ${help.error.message}`);
  return `${help.stdout}${help.stderr}`.includes('--no-auth') ? ['--no-auth'] : [];
}

/** Starts the server on a free loopback port with fresh temp dirs; resolves once /api/health is 200. */
async function startServer(extraArgs = []) {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'longbox-sse-'));
  const library = path.join(tmp, 'library');
  const data = path.join(tmp, 'data');
  fs.mkdirSync(library);
  fs.mkdirSync(data);
  // The test decides every setting: none comes from the caller's LONGBOX_* variables.
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('LONGBOX_')),
  );
  env.NO_COLOR = '1';
  env.RUST_LOG = env.RUST_LOG || 'info';
  const args = [
    '--library', library, '--data-dir', data, '--addr', `${HOST}:0`,
    ...authFlags(), ...extraArgs,
  ];
  const child = spawn(BIN, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  let exited = null;
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const exitedPromise = new Promise((resolve) => child.once('exit', (code, signal) => {
    exited = { code, signal };
    process.removeListener('exit', killOnExit);
    resolve(exited);
  }));
  const onData = (chunk) => { if (log.length < 200_000) log += chunk.toString(); };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);

  const server = {
    child, log: () => log,
    async stop() {
      if (exited === null) {
        child.kill('SIGTERM');
        const t = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await exitedPromise;
        clearTimeout(t);
      }
      fs.rmSync(tmp, { recursive: true, force: true });
    },
  };
  try {
    const deadline = Date.now() + 30_000;
    let port = null;
    while (port === null) {
      if (exited) throw new Error(`server exited early (${JSON.stringify(exited)}):\n${log}`);
      if (Date.now() > deadline) throw new Error(`server never said where it listens:\n${log}`);
      // eslint-disable-next-line no-control-regex
      const m = log.replace(/\x1b\[[0-9;]*m/g, '').match(/Longbox listening on http:\/\/127\.0\.0\.1:(\d+)/);
      if (m) port = Number(m[1]);
      else await sleep(50);
    }
    server.port = port;
    server.base = `http://${HOST}:${port}`;
    for (;;) {
      if (exited) throw new Error(`server exited early (${JSON.stringify(exited)}):\n${log}`);
      if (Date.now() > deadline) throw new Error(`/api/health never answered 200:\n${log}`);
      try {
        const r = await fetch(`${server.base}/api/health`, { signal: AbortSignal.timeout(2_000) });
        await r.arrayBuffer();
        if (r.status === 200) break;
      } catch { /* not up yet */ }
      await sleep(100);
    }
    return server;
  } catch (e) {
    await server.stop();
    throw e;
  }
}

/** Publishes one notification straight to the server (not through the relay); returns its id. */
async function publish(server, message) {
  const r = await fetch(`${server.base}/api/events/broadcast`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ type: 'notification', data: { message, level: 'info' } }),
    signal: AbortSignal.timeout(5_000),
  });
  const text = await r.text();
  assert.equal(r.status, 202, `broadcast of ${message} answered ${r.status}: ${text}`);
  const id = JSON.parse(text).event_id;
  assert.ok(Number.isInteger(id), `broadcast answer without event_id: ${text}`);
  return id;
}

// ---------------------------------------------------------------------------------------------
// The relay: 127.0.0.1:<port> -> server, every open connection cut on demand.

async function startRelay(targetPort) {
  const pairs = new Set();
  const relay = {
    cuts: 0,
    refused: 0,
    refusing: false,
    /** The request head of each relayed connection, in order: { line, lastEventId }. */
    requests: [],
    /** Destroys both sockets of every open relayed connection. Returns how many were cut. */
    cutAll() {
      const n = pairs.size;
      for (const p of [...pairs]) p.drop();
      relay.cuts += 1;
      return n;
    },
  };
  const listener = net.createServer((client) => {
    if (relay.refusing) {
      relay.refused += 1;
      client.destroy();
      return;
    }
    const upstream = net.connect(targetPort, HOST);
    const pair = {
      drop() {
        client.destroy();
        upstream.destroy();
        pairs.delete(pair);
      },
    };
    pairs.add(pair);
    let head = '';
    let seen = false;
    client.on('data', (chunk) => {
      if (seen) return;
      head += chunk.toString('latin1');
      const end = head.indexOf('\r\n\r\n');
      if (end < 0 && head.length < 16_384) return;
      seen = true;
      const lines = head.slice(0, end < 0 ? head.length : end).split('\r\n');
      const lei = lines.find((l) => /^last-event-id:/i.test(l));
      relay.requests.push({
        line: lines[0],
        lastEventId: lei === undefined ? null : lei.slice(lei.indexOf(':') + 1).trim(),
      });
    });
    client.pipe(upstream);
    upstream.pipe(client);
    for (const s of [client, upstream]) {
      s.on('error', () => pair.drop());
      s.on('close', () => pair.drop());
    }
  });
  await new Promise((resolve, reject) => {
    listener.once('error', reject);
    listener.listen(0, HOST, resolve);
  });
  relay.port = listener.address().port;
  relay.close = async () => {
    for (const p of [...pairs]) p.drop();
    await new Promise((resolve) => listener.close(resolve));
  };
  return relay;
}

// ---------------------------------------------------------------------------------------------
// The client

/**
 * An EventSource on the relay's stream, recording what it sees. `onEvent(kind, record)` is
 * called synchronously for each message, so a test can cut the relay at an exact point.
 */
function openClient(relay, onEvent = () => {}) {
  // Only notifications (and the server's own connected/resync): no state event of another type
  // hands the client an id, so the cut right after `connected` tests `connected`'s own id.
  const url = `http://${HOST}:${relay.port}/api/events/stream?subscribe=notification`;
  const es = new EventSource(url);
  const seen = { connected: [], resyncs: [], notifications: [], errors: 0, bad: [] };
  es.onerror = () => { seen.errors += 1; };
  es.onmessage = (ev) => {
    let env;
    try {
      env = JSON.parse(ev.data);
    } catch {
      seen.bad.push(ev.data);
      return;
    }
    const record = { id: ev.lastEventId, data: env.data, at: seen.notifications.length };
    if (env.type === 'connected') seen.connected.push(record);
    else if (env.type === 'resync') seen.resyncs.push(record);
    else if (env.type === 'notification') seen.notifications.push(record);
    else seen.bad.push(ev.data);
    onEvent(env.type, record);
  };
  return { es, seen };
}

/** Waits (bounded) until `cond()` holds; fails with `what` (text, or a function giving it) after `ms`. */
async function waitFor(cond, ms, what) {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${ms} ms waiting for ${typeof what === 'function' ? what() : what}`);
    }
    await sleep(20);
  }
}

/** What is wrong with `got` against `want` (both lists of messages), in a few words; '' if nothing. */
function sequenceProblems(got, want) {
  const ranges = (xs) => {
    const out = [];
    for (const x of xs) {
      const last = out.at(-1);
      if (last && x === last[1] + 1) last[1] = x;
      else out.push([x, x]);
    }
    return out.map(([a, b]) => (a === b ? `#${a}` : `#${a}..#${b}`)).join(', ');
  };
  const index = new Map(want.map((m, i) => [m, i]));
  const counts = new Map();
  for (const m of got) counts.set(m, (counts.get(m) || 0) + 1);
  const missing = want.map((m, i) => (counts.has(m) ? -1 : i)).filter((i) => i >= 0);
  const doubled = want.map((m, i) => ((counts.get(m) || 0) > 1 ? i : -1)).filter((i) => i >= 0);
  const unknown = got.filter((m) => !index.has(m));
  let backwards = 0;
  for (let i = 1; i < got.length; i++) if (index.get(got[i]) <= index.get(got[i - 1])) backwards += 1;
  const problems = [];
  if (missing.length) problems.push(`${missing.length} missing (${ranges(missing)})`);
  if (doubled.length) problems.push(`${doubled.length} doubled (${ranges(doubled)})`);
  if (backwards) problems.push(`${backwards} out of order`);
  if (unknown.length) problems.push(`${unknown.length} never published (${unknown.slice(0, 5).join(', ')})`);
  return problems.join('; ');
}

// ---------------------------------------------------------------------------------------------

const TOTAL = 600; // notifications published
const BURST = 20; // published back to back, then a pause
const BURST_PERIOD_MS = 800; // so TOTAL / BURST bursts over ~24 s
const MAX_CUTS = 9; // never more cuts than this
const MIN_CUTS = 5;

test('every notification arrives exactly once, in order, across relay cuts', { timeout: 40_000 }, async (t) => {
  const server = await startServer();
  let relay;
  let client;
  try {
    relay = await startRelay(server.port);
    const published = []; // { message, id }, in publishing order
    let publishing = null; // the publisher's promise, once started
    let receivedAtFirstCut = null;
    let armedAt = Infinity; // a mid-burst cut is armed from this time on
    const cutLog = [];

    const publisher = async () => {
      for (let b = 0; b * BURST < TOTAL; b++) {
        const started = Date.now();
        for (let i = b * BURST; i < Math.min(TOTAL, (b + 1) * BURST); i++) {
          const message = `n-${i}`;
          published.push({ message, id: await publish(server, message) });
        }
        await sleep(Math.max(0, BURST_PERIOD_MS - (Date.now() - started)));
      }
    };

    let connectedCount = 0;
    client = openClient(relay, (kind, record) => {
      if (kind === 'connected') {
        connectedCount += 1;
        if (connectedCount === 1) {
          // Cut 1: right after the first `connected`, before any numbered notification reached
          // this client, and start publishing at once, so events go out during the outage.
          receivedAtFirstCut = record.at;
          relay.cutAll();
          cutLog.push('after connected');
          publishing = publisher();
        } else if (relay.cuts < MAX_CUTS) {
          // Arm the next cut once the opening chunk (connected + replay) has been read.
          armedAt = Date.now() + 200;
        }
        return;
      }
      if (kind !== 'notification' || Date.now() < armedAt) return;
      const n = Number(String(record.data?.message).slice(2));
      if (n % BURST === BURST / 2 && n < TOTAL - BURST / 2) {
        // A cut mid-burst: more of this burst is published or on its way.
        armedAt = Infinity;
        relay.cutAll();
        cutLog.push(`mid-burst after n-${n}`);
      }
    });
    await waitFor(() => publishing !== null, 15_000, 'the first `connected`');
    await publishing;
    const last = published[published.length - 1].message;
    await waitFor(
      () => client.seen.notifications.some((r) => r.data?.message === last) || client.seen.resyncs.length > 0,
      10_000,
      () => `the last notification (${last}); got ${client.seen.notifications.length} of ${TOTAL} after ${relay.cuts} cuts`,
    );
    await sleep(300); // anything doubled after the last one would show up now
    const { seen } = client;

    assert.deepEqual(seen.bad, [], 'messages that are not known envelopes');
    assert.equal(seen.resyncs.length, 0, `a resync arrived: ${JSON.stringify(seen.resyncs)}`);
    assert.equal(receivedAtFirstCut, 0, 'the first cut came before any notification');
    const got = seen.notifications.map((r) => r.data.message);
    const want = published.map((p) => p.message);
    assert.equal(
      sequenceProblems(got, want),
      '',
      `not every published notification arrived exactly once, in order (cuts: ${cutLog.join('; ')})`,
    );
    assert.deepEqual(got, want, 'every published notification, exactly once, in order');
    assert.deepEqual(
      seen.notifications.map((r) => r.id),
      published.map((p) => String(p.id)),
      'each notification carries the id the broadcast answered',
    );
    for (const c of seen.connected) {
      assert.ok(c.id !== '', `a connected event without an id: ${JSON.stringify(c)}`);
    }
    assert.ok(relay.cuts >= MIN_CUTS, `only ${relay.cuts} cuts (${cutLog.join('; ')})`);
    assert.ok(cutLog.filter((c) => c.startsWith('mid-burst')).length >= MIN_CUTS - 1, cutLog.join('; '));
    assert.equal(seen.connected.length, relay.cuts + 1, 'one reconnection per cut');
    // The client's own Last-Event-ID handling: each reconnection resumed from an id, the first
    // from the one `connected` carried.
    const streams = relay.requests.filter((r) => r.line.includes('/api/events/stream'));
    assert.equal(streams.length, relay.cuts + 1);
    assert.equal(streams[0].lastEventId, null, 'the first request has no Last-Event-ID');
    assert.equal(streams[1].lastEventId, seen.connected[0].id, 'resumed from connected\'s id');
    for (const s of streams.slice(1)) assert.ok(s.lastEventId, `reconnected without Last-Event-ID: ${s.line}`);
    t.diagnostic(`published ${published.length} notifications, ${relay.cuts} cuts: ${cutLog.join('; ')}`);
  } finally {
    client?.es.close();
    await relay?.close();
    await server.stop();
  }
});

test('a Last-Event-ID outside the history window gets a resync', { timeout: 30_000 }, async (t) => {
  const server = await startServer(['--history-size', '16']);
  let relay;
  let client;
  try {
    relay = await startRelay(server.port);
    client = openClient(relay);
    const { seen } = client;
    await waitFor(() => seen.connected.length === 1, 15_000, 'the first `connected`');
    for (let i = 0; i < 3; i++) await publish(server, `w-${i}`);
    await waitFor(() => seen.notifications.length === 3, 10_000, 'the 3 warm-up notifications');
    const lastSeenId = seen.notifications[2].id;

    // Hold the relay closed: cut, refuse every new connection while 100 events go out.
    relay.refusing = true;
    relay.cutAll();
    for (let i = 0; i < 100; i++) await publish(server, `n-${i}`);
    // Let the client try (and be refused) at least once while held closed.
    await waitFor(() => relay.refused >= 1, 10_000, 'a reconnection attempt while held closed');
    relay.refusing = false;

    await waitFor(() => seen.resyncs.length > 0, 10_000, 'a resync after reconnecting');
    assert.deepEqual(seen.bad, [], 'messages that are not known envelopes');
    assert.equal(seen.resyncs.length, 1);
    assert.ok(seen.connected.length >= 2, 'reconnected');
    const streams = relay.requests.filter((r) => r.line.includes('/api/events/stream'));
    assert.equal(streams.at(-1).lastEventId, lastSeenId, 'the reconnection sent the last id it saw');
    // Nothing of the 100 was replayed before the resync (the window only holds 16).
    const beforeResync = seen.notifications.slice(0, seen.resyncs[0].at).map((r) => r.data.message);
    assert.deepEqual(beforeResync, ['w-0', 'w-1', 'w-2']);
    t.diagnostic(`resync after ${relay.refused} refused reconnection attempt(s): ${seen.resyncs[0].data?.reason}`);
  } finally {
    client?.es.close();
    await relay?.close();
    await server.stop();
  }
});
