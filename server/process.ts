// Reference servers in a process of their own, as `raa-conformance matrix` runs them: one process hosts several
// servers, one per defect mode, each on its own port, so the matrix pays a process start and the server's module
// loading once per group instead of once per mode. It reads its settings as one JSON line on stdin ({ servers:
// [defects, …], key }: the token key is shared so one set of tokens serves every server), answers with one JSON
// line ({ baseUrls }, in the same order), and exits when stdin closes, so no server outlives the run that started
// it, even one that was killed.
import { createInterface } from 'node:readline';
import { ReferenceServer } from './app';
import { parseDefects } from './defects';
import { TokenIssuer } from './tokens';

const input = createInterface({ input: process.stdin });
input.once('line', (line) => {
  const { servers, key } = JSON.parse(line) as { servers: string[][]; key: string };
  const issuer = new TokenIssuer(new Uint8Array(Buffer.from(key, 'hex')));
  // Each server has its own store, defects and port: nothing is shared between modes but the process.
  Promise.all(servers.map((defects) => new ReferenceServer({ defects: parseDefects(defects.join(',')), issuer }).listen(0))).then(
    (baseUrls) => { process.stdout.write(`${JSON.stringify({ baseUrls })}\n`); },
    (e: Error) => { process.stderr.write(`reference server: ${e.message}\n`); process.exit(1); },
  );
});
input.once('close', () => process.exit(0));
