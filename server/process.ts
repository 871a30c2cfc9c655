// One reference server in a process of its own, as `raa-conformance matrix` runs one per defect. It reads its
// settings as one JSON line on stdin ({ defects, key }: the token key is shared so one set of tokens serves
// every server), answers with one JSON line ({ baseUrl }), and exits when stdin closes, so no server outlives
// the run that started it, even one that was killed.
import { createInterface } from 'node:readline';
import { ReferenceServer } from './app';
import { parseDefects } from './defects';
import { TokenIssuer } from './tokens';

const input = createInterface({ input: process.stdin });
input.once('line', (line) => {
  const { defects, key } = JSON.parse(line) as { defects: string[]; key: string };
  const server = new ReferenceServer({ defects: parseDefects(defects.join(',')), issuer: new TokenIssuer(new Uint8Array(Buffer.from(key, 'hex'))) });
  server.listen(0).then(
    (baseUrl) => { process.stdout.write(`${JSON.stringify({ baseUrl })}\n`); },
    (e: Error) => { process.stderr.write(`reference server: ${e.message}\n`); process.exit(1); },
  );
});
input.once('close', () => process.exit(0));
