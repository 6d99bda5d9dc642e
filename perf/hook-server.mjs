// perf/hook-server.mjs — a publish hook for perf/hook-bench.sh: answers every POST with
// {"action":"allow"} after reading the body (keep-alive, node stdlib only). Prints its port.
//   node perf/hook-server.mjs [port]
import { createServer } from 'node:http';

const answer = Buffer.from('{"action":"allow"}');
let calls = 0;
const server = createServer((req, res) => {
  req.on('data', () => {});
  req.on('end', () => {
    calls++;
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': answer.length });
    res.end(answer);
  });
});
server.keepAliveTimeout = 60_000;
server.listen(Number(process.argv[2] ?? 0), '127.0.0.1', () => console.log(server.address().port));
process.on('SIGTERM', () => {
  console.error(`hook calls: ${calls}`);
  process.exit(0);
});
