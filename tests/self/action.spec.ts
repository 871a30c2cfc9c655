// The CI integrations cannot rot unnoticed: action.yml's run step and docs/azure-pipelines.yml's script step are run
// here as the runner would run them (their command, their environment with the inputs filled in), against the embedded
// reference server; the three YAML files parse, and every input is wired to the script and documented in README.
import { expect, test } from '@playwright/test';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parse } from 'yaml';
import { ROOT, cleanEnv } from './support/run-suite';

test.describe.configure({ timeout: 300_000 });

interface Step { name?: string; id?: string; uses?: string; run?: string; shell?: string; if?: string; with?: Record<string, unknown>; env?: Record<string, unknown>;
  script?: string; task?: string; condition?: string; inputs?: Record<string, unknown>; 'continue-on-error'?: boolean }
interface Action { inputs: Record<string, { description?: string; required?: boolean; default?: string }>;
  outputs: Record<string, { value: string }>; runs: { using: string; steps: Step[] } }
interface AzureTemplate { parameters: { name: string; type: string; default: unknown }[]; steps: (Step | Record<string, Step[]>)[] }
interface Workflow { jobs: Record<string, { steps: Step[]; strategy?: { matrix: Record<string, unknown[]> } }> }

const readYaml = <T>(path: string): T => parse(readFileSync(join(ROOT, path), 'utf8'), { strict: true, uniqueKeys: true }) as T;
const action = readYaml<Action>('action.yml');
const azure = readYaml<AzureTemplate>('docs/azure-pipelines.yml');
const nightly = readYaml<Workflow>('docs/nightly-workflow.yml');
const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
const ciStart = readme.indexOf('\n## CI integrations\n');
/** README's "CI integrations" section, up to the next section; empty when there is none. */
const ciSection = ciStart < 0 ? '' : readme.slice(ciStart, readme.indexOf('\n## ', ciStart + 1));

const runStep = action.runs.steps.find((s) => s.id === 'run')!;
const azureSteps = azure.steps.flatMap((s) => ('script' in s || 'task' in s ? [s as Step] : Object.values(s).flat()));
const azureRunStep = azureSteps.find((s) => s.name === 'raaConformance')!;

/** scripts/ci-run.mjs: the inputs it reads, how they become `run`'s options, its filter of the suite's output, its summary. */
const script: {
  INPUTS: { env: string }[];
  plan(env: Record<string, string>): { args: string[]; childEnv: Record<string, string>; reportDir: string };
  inert(line: string): string;
  summaryMarkdown(r: { code: number; report?: object; markdown?: string; drift?: string; message?: string }): string;
} = await import(pathToFileURL(join(ROOT, 'scripts', 'ci-run.mjs')).href);

/** The action's run step's environment as the runner fills it: `${{ inputs.x }}` is the given value or the default. */
function actionEnv(given: Record<string, string> = {}): Record<string, string> {
  return Object.fromEntries(Object.entries(runStep.env!).map(([k, v]) => {
    const name = /^\$\{\{\s*inputs\.([a-z-]+)\s*\}\}$/.exec(String(v))?.[1];
    expect(name, `${k} is an input`).toBeDefined();
    return [k, given[name!] ?? action.inputs[name!]!.default ?? ''];
  }));
}

/** The template's script step's environment as Azure fills it (booleans render True/False); `each` adds nothing here. */
function azureEnv(given: Record<string, string | boolean> = {}): Record<string, string> {
  const entries = Object.entries(azureRunStep.env!).filter(([k]) => !k.startsWith('${{ each'));
  return Object.fromEntries(entries.map(([k, v]) => {
    const name = /^\$\{\{\s*parameters\.([A-Za-z]+)\s*\}\}$/.exec(String(v))?.[1];
    if (!name) return [k, String(v)];
    const value = given[name] ?? azure.parameters.find((p) => p.name === name)!.default;
    return [k, typeof value === 'boolean' ? (value ? 'True' : 'False') : String(value)];
  }));
}

interface StepRun { code: number; stdout: string; stderr: string; workspace: string; summary: string; outputs: Record<string, string> }

/** Runs a step's command with bash in a fresh workspace, with the CI's files for the summary and the outputs. */
function runCommand(command: string, env: Record<string, string>, prepare?: (workspace: string) => void): Promise<StepRun> {
  const workspace = mkdtempSync(join(tmpdir(), 'raa-action-'));
  const runnerDir = mkdtempSync(join(tmpdir(), 'raa-runner-'));
  const summaryFile = join(runnerDir, 'step-summary.md');
  const outputFile = join(runnerDir, 'output');
  writeFileSync(summaryFile, '');
  writeFileSync(outputFile, '');
  prepare?.(workspace);
  return new Promise((resolve) => {
    const child = spawn('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', command], {
      cwd: workspace,
      env: cleanEnv({ GITHUB_STEP_SUMMARY: summaryFile, GITHUB_OUTPUT: outputFile, GITHUB_ACTION_PATH: ROOT, GITHUB_WORKSPACE: workspace, CONFORMANCE_NUM_RUNS: '5', ...env }),
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr, workspace, summary: readFileSync(summaryFile, 'utf8'), outputs: readOutputs(readFileSync(outputFile, 'utf8')) }));
  });
}

/** $GITHUB_OUTPUT as GitHub reads it: `name=value` lines and `name<<delimiter` blocks. */
function readOutputs(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const heredoc = /^([^=<]+)<<(.+)$/.exec(lines[i]!);
    if (heredoc) {
      const end = lines.indexOf(heredoc[2]!, i + 1);
      out[heredoc[1]!] = lines.slice(i + 1, end).join('\n');
      i = end;
    } else if (lines[i]!.includes('=')) out[lines[i]!.slice(0, lines[i]!.indexOf('='))] = lines[i]!.slice(lines[i]!.indexOf('=') + 1);
  }
  return out;
}

const shown = (r: StepRun) => `exit ${r.code}\n--- stdout (tail) ---\n${r.stdout.slice(-2000)}\n--- stderr (tail) ---\n${r.stderr.slice(-2000)}`;

/** GitHub's workflow commands are stopped while the suite prints: a target's answer cannot issue one. */
function commandsStopped(r: StepRun): void {
  const token = /^::stop-commands::([0-9a-f]{32})$/m.exec(r.stdout)?.[1];
  expect(token, shown(r)).toBeDefined();
  const lines = r.stdout.split('\n');
  const [from, to] = [lines.indexOf(`::stop-commands::${token}`), lines.indexOf(`::${token}::`)];
  expect(to, 'commands resume after the suite').toBeGreaterThan(from);
  expect(lines.slice(0, from).filter(Boolean), 'nothing before the stop').toEqual([]);
  expect(lines.slice(to + 1).join('\n')).not.toContain('raa-conformance: target');
}

test('the action against the embedded reference server: summary written, verdict CONFORMANT, exit code 0', async () => {
  const r = await runCommand(runStep.run!, { GITHUB_ACTIONS: 'true', ...actionEnv() });
  expect(r.code, shown(r)).toBe(0);
  const reportDir = join(r.workspace, 'reports');
  const report = JSON.parse(readFileSync(join(reportDir, 'conformance.json'), 'utf8')) as { verdict: string; exitCode: number };
  expect(report).toMatchObject({ verdict: 'CONFORMANT', exitCode: 0 });
  expect(r.outputs).toEqual({ verdict: 'CONFORMANT', 'exit-code': '0', 'report-dir': reportDir });
  expect(r.summary).toBe(readFileSync(join(reportDir, 'conformance.md'), 'utf8').trimEnd() + '\n');
  expect(r.summary).toContain('**CONFORMANT: every requirement that gates was tested and passed');
  commandsStopped(r);
  expect(r.stdout).not.toContain('::error');
  // Every output action.yml declares is one the script set.
  for (const [name, output] of Object.entries(action.outputs)) {
    expect(output.value, name).toBe(`\${{ steps.run.outputs.${name} }}`);
    expect(Object.keys(r.outputs), name).toContain(name);
  }
});

test('a defect fails the step with exit 1 after the summary (drift.md too) and the outputs are written', async () => {
  const r = await runCommand(runStep.run!, { GITHUB_ACTIONS: 'true', REFERENCE_DEFECTS: 'device-imei-dropped', ...actionEnv({ 'report-dir': 'out/conformance', strict: 'true' }) }, (ws) => {
    // As the nightly does: drift first, into the same report folder.
    const drift = spawnSync(process.execPath, [join(ROOT, 'bin', 'raa-conformance.mjs'), 'drift', '--csdl', join(ROOT, 'fixtures', 'csdl', 'beta-remoteActionAudit-slice.xml'),
      '--report-dir', join(ws, 'out', 'conformance')], { cwd: ws, env: cleanEnv(), encoding: 'utf8' });
    expect(drift.status, drift.stderr).toBe(0);
  });
  expect(r.code, shown(r)).toBe(1);
  expect(r.outputs).toEqual({ verdict: 'NOT CONFORMANT', 'exit-code': '1', 'report-dir': join(r.workspace, 'out', 'conformance') });
  expect(r.summary).toContain('**NOT CONFORMANT');
  expect(r.summary).toMatch(/RAA-CREATE-ECHO \| MUST \| failed/);
  expect(r.summary).toContain('# Contract drift');
  expect(r.summary.indexOf('# Contract drift')).toBeGreaterThan(r.summary.indexOf('# remoteActionAudit conformance'));
  commandsStopped(r);
  expect(r.stdout).toMatch(/^::error title=remoteActionAudit conformance::NOT CONFORMANT/m);
});

test('a bad principals file stops the run with exit 2; the summary says why and an older report is not read', async () => {
  const r = await runCommand(runStep.run!, { GITHUB_ACTIONS: 'true', ...actionEnv({ target: 'http://127.0.0.1:9/beta', principals: 'principals.json' }) }, (ws) => {
    writeFileSync(join(ws, 'principals.json'), JSON.stringify({ principals: 'nobody' }));
    mkdirSync(join(ws, 'reports'));
    writeFileSync(join(ws, 'reports', 'conformance.json'), JSON.stringify({ verdict: 'CONFORMANT', exitCode: 0 }));
  });
  expect(r.code, shown(r)).toBe(2);
  expect(r.outputs).toEqual({ verdict: '', 'exit-code': '2', 'report-dir': join(r.workspace, 'reports') });
  expect(r.summary).toContain('No report: `raa-conformance run` exited 2 (bad input or configuration)');
  expect(r.summary).toMatch(/```\nraa-conformance: principals file .*principals\.json is invalid/);
  expect(r.stdout).toMatch(/^::error title=remoteActionAudit conformance::raa-conformance: principals file/m);
});

test('an input that is not a boolean is refused with exit 2 before any run', async () => {
  const r = await runCommand(runStep.run!, { GITHUB_ACTIONS: 'true', ...actionEnv({ 'allow-writes': 'yes please' }) });
  expect(r.code, shown(r)).toBe(2);
  expect(r.stderr).toContain('input allow-writes (INPUT_ALLOW_WRITES): "yes please" is neither true nor false');
  expect(r.outputs['exit-code']).toBe('2');
  expect(r.summary).toContain('No run: the inputs were refused');
  expect(existsSync(join(r.workspace, 'reports'))).toBe(false);
});

test('the Azure Pipelines template\'s script step: summary uploaded, output variables set, junit.xml where the test results step reads it', async () => {
  const agentTemp = mkdtempSync(join(tmpdir(), 'raa-agent-'));
  // The template's command names the suite's folder with a template expression; Azure fills it in before the step runs.
  const command = azureRunStep.script!.replace('${{ parameters.suiteDirectory }}', ROOT);
  const r = await runCommand(command, { TF_BUILD: 'True', AGENT_TEMPDIRECTORY: agentTemp, GITHUB_STEP_SUMMARY: '', GITHUB_OUTPUT: '', ...azureEnv({ profile: 'quick' }) });
  expect(r.code, shown(r)).toBe(0);
  const reportDir = join(r.workspace, 'reports');
  const uploaded = /^##vso\[task\.uploadsummary\](.+)$/m.exec(r.stdout)?.[1];
  expect(uploaded, shown(r)).toBeDefined();
  expect(uploaded!.startsWith(agentTemp)).toBe(true);
  expect(readFileSync(uploaded!, 'utf8')).toBe(readFileSync(join(reportDir, 'conformance.md'), 'utf8').trimEnd() + '\n');
  for (const [name, value] of [['verdict', 'CONFORMANT'], ['exitCode', '0'], ['reportDir', reportDir]]) {
    expect(r.stdout).toContain(`##vso[task.setvariable variable=${name};isoutput=true]${value}\n`);
  }
  // The publish steps read the folder the step names, and junit.xml in it.
  const publish = azureSteps.filter((s) => s.task?.startsWith('Publish'));
  expect(publish.map((s) => s.task)).toEqual(['PublishPipelineArtifact@1', 'PublishTestResults@2']);
  expect(publish[0]!.inputs!.targetPath).toBe('$(raaConformance.reportDir)');
  expect(publish[1]!.inputs).toMatchObject({ testResultsFormat: 'JUnit', testResultsFiles: 'junit.xml', searchFolder: '$(raaConformance.reportDir)' });
  expect(existsSync(join(reportDir, 'junit.xml'))).toBe(true);
  expect(r.stdout).not.toContain('::stop-commands::');
});

test('a target cannot issue an Azure Pipelines command through the suite\'s output', () => {
  expect(script.inert('  Received: "##vso[task.setvariable variable=secret]x" and ##VSO[task.complete result=Succeeded]')).toBe('  Received: "##vso [task.setvariable variable=secret]x" and ##VSO [task.complete result=Succeeded]');
  expect(script.inert('nothing to see')).toBe('nothing to see');
});

test('inputs become run\'s options; empty ones and false leave the environment\'s setting', () => {
  const all = script.plan({ INPUT_TARGET: 'http://127.0.0.1:8080/beta', INPUT_PRINCIPALS: 'p.json', INPUT_PROFILE: 'deep', INPUT_STRICT: 'True',
    INPUT_EXPECTATIONS: 'known.json', INPUT_REPORT_DIR: 'shard-2', INPUT_ALLOW_WRITES: 'true', INPUT_ALLOW_PARTIAL: '1', INPUT_REQUIRE_METADATA: 'true', INPUT_SHARD: '2/4' });
  expect(all.args).toEqual(['run', '--target', 'http://127.0.0.1:8080/beta', '--principals', 'p.json', '--profile', 'deep', '--strict',
    '--allow-writes', '--allow-partial', '--require-metadata', '--shard', '2/4', '--report-dir', 'shard-2']);
  expect(all.childEnv.CONFORMANCE_EXPECTATIONS).toBe('known.json');
  expect(all.reportDir).toBe(join(process.cwd(), 'shard-2'));
  const none = script.plan({ INPUT_TARGET: '', INPUT_STRICT: 'false', INPUT_ALLOW_WRITES: 'False', INPUT_EXPECTATIONS: '', CONFORMANCE_EXPECTATIONS: 'env.json', CONFORMANCE_REPORT_DIR: 'out' });
  expect(none.args).toEqual(['run', '--report-dir', 'out']);
  expect(none.childEnv.CONFORMANCE_EXPECTATIONS).toBe('env.json');
});

test('a summary over GitHub\'s 1 MiB limit is cut, and says where the rest is', () => {
  const markdown = `# remoteActionAudit conformance\n\n${'| RAA-X | MUST | failed | é |\n'.repeat(60_000)}`;
  const summary = script.summaryMarkdown({ code: 1, report: {}, markdown });
  expect(Buffer.byteLength(summary)).toBeLessThanOrEqual(1_000_000);
  expect(summary).toMatch(/the whole report is conformance\.md in the reports\.\n$/);
  expect(summary).not.toContain('\uFFFD');
});

test('action.yml: a composite action whose every input reaches the script or a step and is documented in README', () => {
  expect(action.runs.using).toBe('composite');
  for (const step of action.runs.steps) {
    if (step.run) expect(step.shell, `${step.name}: a composite run step names its shell`).toBe('bash');
    else expect(step.uses, `${step.name ?? 'step'}: runs or uses`).toBeTruthy();
  }
  const scriptInputs = script.INPUTS.map((i) => i.env).sort();
  expect(Object.keys(runStep.env!).sort(), 'the run step passes exactly the inputs the script reads').toEqual(scriptInputs);
  const elsewhere = JSON.stringify(action.runs.steps.filter((s) => s !== runStep));
  for (const [name, input] of Object.entries(action.inputs)) {
    expect(input.required ?? false, `${name} is optional`).toBe(false);
    expect(input.description, `${name} is described`).toBeTruthy();
    const env = `INPUT_${name.toUpperCase().replace(/-/g, '_')}`;
    const wired = runStep.env![env] === `\${{ inputs.${name} }}` || elsewhere.includes(`inputs.${name}`);
    expect(wired, `input ${name} reaches the script (${env}) or a step`).toBe(true);
    expect(ciSection, `README "CI integrations" documents input ${name}`).toContain(`\`${name}\``);
  }
  for (const name of Object.keys(action.outputs)) expect(ciSection, `README documents output ${name}`).toContain(`\`${name}\``);
  // The reports are uploaded after the run step, also when it failed.
  const steps = action.runs.steps;
  const upload = steps.findIndex((s) => s.uses === 'actions/upload-artifact@v4');
  expect(upload).toBeGreaterThan(steps.indexOf(runStep));
  expect(steps[upload]!.if).toContain('always()');
  expect(steps[upload]!.with!.path).toBe('${{ steps.run.outputs.report-dir }}');
  expect(runStep.run).toBe('node "$GITHUB_ACTION_PATH/scripts/ci-run.mjs"');
});

test('docs/azure-pipelines.yml: every parameter reaches the script or a step and is documented in README', () => {
  const scriptInputs = script.INPUTS.map((i) => i.env).sort();
  const inputs = Object.keys(azureRunStep.env!).filter((k) => k.startsWith('INPUT_')).sort();
  expect(inputs, 'the script step passes exactly the inputs the script reads').toEqual(scriptInputs);
  const used = JSON.stringify(azure.steps);
  for (const p of azure.parameters) {
    expect(used, `parameter ${p.name} is used`).toContain(`parameters.${p.name}`);
    expect(ciSection, `README "CI integrations" documents parameter ${p.name}`).toContain(`\`${p.name}\``);
  }
  // The same inputs as the action, by the action's names in camelCase.
  const camel = (s: string) => s.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
  const shared = Object.keys(action.inputs).filter((n) => !['node-version', 'artifact-name', 'retention-days'].includes(n)).map(camel);
  for (const name of shared) expect(azure.parameters.map((p) => p.name), name).toContain(name);
  for (const s of azureSteps.filter((x) => x.task?.startsWith('Publish'))) expect(s.condition, s.task).toMatch(/^and\(always\(\)/);
});

test('docs/nightly-workflow.yml: the shards run through the action, with inputs it declares; merge, drift and diff stay', () => {
  const shard = nightly.jobs.shard!;
  const uses = shard.steps.filter((s) => s.uses === './');
  expect(uses, 'one step uses the action').toHaveLength(1);
  const step = uses[0]!;
  for (const key of Object.keys(step.with ?? {})) expect(Object.keys(action.inputs), `input ${key}`).toContain(key);
  expect(step.with).toMatchObject({ shard: '${{ matrix.shard }}/4', 'report-dir': 'shard-${{ matrix.shard }}', 'artifact-name': 'shard-${{ matrix.shard }}' });
  expect(step['continue-on-error']).toBe(true);
  expect(shard.steps.some((s) => /raa-conformance run/.test(s.run ?? '')), 'no shard calls the command directly').toBe(false);
  const merge = JSON.stringify(nightly.jobs.merge!.steps);
  for (const command of ['raa-conformance drift', 'raa-conformance merge', 'raa-conformance diff']) expect(merge).toContain(command);
  expect(merge).toContain('"pattern":"shard-*"');
  // The nightly drift compares both: the CSDL and Microsoft's permissions data, in one drift.json.
  const drift = nightly.jobs.merge!.steps.find((s) => /raa-conformance drift/.test(s.run ?? ''))!;
  expect(drift.run).toMatch(/--csdl .*--permissions /s);
  // Against yesterday's build, when one is configured: the differential run, writing both sides, its report kept.
  const compare = nightly.jobs.merge!.steps.find((s) => /raa-conformance compare/.test(s.run ?? ''))!;
  expect(compare.if).toBe("vars.PREVIOUS_TARGET_BASE_URL != ''");
  expect(compare.run).toMatch(/--target "\$TARGET_BASE_URL" .*--reference "\$PREVIOUS_TARGET_BASE_URL" --allow-writes --report-dir reports\/compare/s);
});
