// `bench --profile`: loaded with NODE_OPTIONS=--require into every Node process of one quick run (the command,
// Playwright's runner, each worker), since NODE_OPTIONS may not carry --cpu-prof. Starts V8's sampling profiler
// through the inspector and writes the profile to BENCH_PROFILE_DIR when the process exits (not a suite variable:
// the command passes it on to Playwright and its workers untouched).
const { Session } = require('node:inspector');
const { writeFileSync } = require('node:fs');
const { join } = require('node:path');

const dir = process.env.BENCH_PROFILE_DIR;
if (dir) {
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', { interval: 500 });
  session.post('Profiler.start');
  process.on('exit', () => {
    // The inspector answers synchronously here, so the file is written before the process is gone.
    session.post('Profiler.stop', (err, result) => {
      if (!err) writeFileSync(join(dir, `${process.pid}.cpuprofile`), JSON.stringify({ argv: process.argv, profile: result.profile }));
    });
  });
}
