// One self-contained HTML page for reports/conformance.json: opens from disk or as a CI artifact with no network.
// Rows are rendered here (escaped) rather than by client JS from embedded JSON, so the page reads without JS and
// report text never passes through innerHTML. A hash-based CSP is defence in depth: only our own script/style run.
import { createHash } from 'node:crypto';
import type { ConformanceReport, Failure, RequirementResult, RequirementStatus, TestResult } from '../core/report-types';
import { exchangeLines, headline } from '../core/failure-text';
import type { DriftReport } from '../metadata/drift';
import { seedSetting } from '../core/replay';

export interface HtmlOptions {
  /** Earlier runs (the current one included if it should be plotted); a chart is drawn when there are ≥2. */
  history?: ConformanceReport[];
  /** Relative link to Playwright's HTML report. */
  htmlReportPath?: string;
  /** A `raa-conformance drift` result (drift.json of the report folder): shown when it holds drift. */
  drift?: DriftReport;
}

const ESC: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const escapeHtml = (v: unknown) => String(v ?? '').replace(/[&<>"']/g, (c) => ESC[c]!);

const REQ_STATUSES: RequirementStatus[] = ['passed', 'failed', 'partial', 'not-tested', 'blocked', 'inconclusive', 'expected-failure'];
const LEVELS = ['MUST', 'SHOULD', 'MAY'] as const;

const CSS = `
:root{--ok:#1a7f37;--bad:#cf222e;--skip:#9a6700;--muted:#57606a;--line:#d0d7de;font:14px/1.4 system-ui,sans-serif;color:#1f2328}
body{margin:1.5rem;max-width:1200px}h1{font-size:1.4rem;margin:0 0 .5rem}h2{font-size:1.1rem;margin:1.5rem 0 .5rem}
dl.meta{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem;margin:0}dt{color:var(--muted)}dd{margin:0}
.counts{display:flex;gap:.75rem;flex-wrap:wrap}.count{border:1px solid var(--line);border-radius:6px;padding:.4rem .8rem;min-width:5rem}
.count b{display:block;font-size:1.5rem}.count.passed b{color:var(--ok)}.count.failed b,.count.errored b{color:var(--bad)}.count.skipped b{color:var(--skip)}
.filters{display:flex;gap:1rem;align-items:center;margin:.5rem 0}
table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid var(--line);padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#f6f8fa}.status{font-weight:600}.s-passed{color:var(--ok)}.s-failed,.s-errored{color:var(--bad)}
.s-skipped,.s-untested,.s-not-tested,.s-blocked,.s-inconclusive,.s-expected-failure{color:var(--skip)}
.s-failed.soft{color:var(--skip);font-weight:400}.verdict{font-size:1.2rem;font-weight:600;padding:.5rem .8rem;border-radius:6px;margin:.5rem 0 1rem;border:1px solid var(--line)}
.verdict.v-CONFORMANT{color:var(--ok);border-color:var(--ok)}.verdict.v-NOT{color:var(--bad);border-color:var(--bad)}.verdict.v-other{color:var(--skip);border-color:var(--skip)}tr.detail>td{background:#fafbfc;padding-left:2rem}
pre{white-space:pre-wrap;word-break:break-word;background:#fff1f0;border:1px solid #ffcecb;padding:.4rem;margin:.2rem 0;max-height:20rem;overflow:auto}
button.toggle{border:0;background:none;cursor:pointer;font-size:1rem;width:1.5rem}button.toggle[aria-expanded=true]{transform:rotate(90deg)}
.muted{color:var(--muted)}tr.group>th{background:#fff;border-bottom:2px solid var(--line);padding-top:.8rem}svg text{font-size:11px;fill:var(--muted)}
.pair{display:grid;grid-template-columns:1fr 1fr;gap:.5rem}.pair h4{margin:.3rem 0 0;font-size:.85rem;color:var(--muted)}
.failure .headline{font-weight:600;margin:.2rem 0}pre.ok{background:#f6f8fa;border-color:var(--line)}
`;

// Plain DOM; no framework. Filtering hides rows via the `hidden` attribute so tests can assert visibility.
const JS = `
(function(){
var fs=document.querySelector('[data-testid=filter-status]'),fl=document.querySelector('[data-testid=filter-level]');
var rows=[].slice.call(document.querySelectorAll('tr[data-testid=req-row]'));
function detail(r){var d=r.nextElementSibling;return d&&d.classList.contains('detail')?d:null}
function apply(){var n=0;rows.forEach(function(r){
 var show=(fs.value==='all'||r.getAttribute('data-status')===fs.value)&&(fl.value==='all'||r.getAttribute('data-level')===fl.value);
 r.hidden=!show;var d=detail(r),b=r.querySelector('button.toggle');
 if(d)d.hidden=!show||!b||b.getAttribute('aria-expanded')!=='true';if(show)n++});
 document.getElementById('shown').textContent=String(n)}
fs.addEventListener('change',apply);fl.addEventListener('change',apply);
document.querySelector('[data-testid=matrix]').addEventListener('click',function(e){
 var b=e.target.closest&&e.target.closest('button.toggle');if(!b)return;
 b.setAttribute('aria-expanded',String(b.getAttribute('aria-expanded')!=='true'));apply()});
document.getElementById('expand-all').addEventListener('click',function(){
 var open=rows.some(function(r){var b=r.querySelector('button.toggle');return b&&b.getAttribute('aria-expanded')!=='true'});
 rows.forEach(function(r){var b=r.querySelector('button.toggle');if(b)b.setAttribute('aria-expanded',String(open))});apply()});
apply()})();
`;

const sha256 = (s: string) => `'sha256-${createHash('sha256').update(s, 'utf8').digest('base64')}'`;

function testRows(r: RequirementResult, reportPath: string): string {
  if (!r.tests.length) return '<p class="muted">No tests cite this requirement.</p>';
  const row = (t: TestResult) => {
    const bad = t.status === 'failed' || t.status === 'errored';
    const link = bad ? ` <a data-testid="pw-link" href="${escapeHtml(`${reportPath}#?q=${encodeURIComponent(t.title)}`)}">open in Playwright report</a>` : '';
    return `<tr data-testid="test-row" data-status="${escapeHtml(t.status)}"><td class="status s-${escapeHtml(t.status)}">${escapeHtml(t.status)}</td>`
      + `<td>${escapeHtml(t.title)}${link}${t.location ? `<div class="muted">${escapeHtml(t.location)}</div>` : ''}</td>`
      + `<td>${escapeHtml(t.reason)}${t.failure ? failureHtml(t.failure) : ''}</td></tr>`;
  };
  return `<table><thead><tr><th>Status</th><th>Test</th><th>Reason / failure</th></tr></thead><tbody>${r.tests.map(row).join('')}</tbody></table>`;
}

const pre = (testid: string, text: string, cls = '') => `<pre data-testid="${testid}"${cls ? ` class="${cls}"` : ''}>${escapeHtml(text)}</pre>`;
const pair = (a: [string, string, string], b: [string, string, string]) =>
  `<div class="pair"><div><h4>${a[0]}</h4>${pre(a[1], a[2], 'ok')}</div><div><h4>${b[0]}</h4>${pre(b[1], b[2])}</div></div>`;

/** A failure: expected and received side by side, schema paths, the exchange side by side, the reproduce line. */
export function failureHtml(f: Failure): string {
  if (f.kind !== 'check') return `<div class="failure" data-testid="failure">${pre('failure-text', f.message)}</div>`;
  const parts = [`<p class="headline" data-testid="failure-headline">${escapeHtml(headline(f))}</p>`];
  if (f.expected !== undefined || f.received !== undefined) parts.push(pair(['Expected', 'expected', f.expected ?? ''], ['Received', 'received', f.received ?? '']));
  if (f.schemaErrors?.length) parts.push(`<ul data-testid="schema-errors">${f.schemaErrors.map((e) => `<li><code>${escapeHtml(e)}</code></li>`).join('')}</ul>`);
  if (f.property) {
    parts.push(`<p class="muted">property: seed ${escapeHtml(f.property.seed)}, path ${escapeHtml(f.property.path)}, ${escapeHtml(f.property.numRuns)} runs; replay with ${escapeHtml(seedSetting(f.property.seed))}</p>`,
      pre('counterexample', JSON.stringify(f.property.counterexample, null, 2) ?? 'null'));
  }
  if (f.exchange) {
    const { request, response } = exchangeLines(f.exchange);
    parts.push(pair(['Request', 'request', request.join('\n')], ['Response', 'response', response.join('\n')]));
  }
  if (f.reproduce) parts.push(`<h4>Reproduce with</h4>${pre('reproduce', f.reproduce, 'ok')}`);
  if (!f.exchange && f.expected === undefined && f.received === undefined && !f.schemaErrors?.length && !f.property) parts.push(pre('failure-text', f.message));
  return `<div class="failure" data-testid="failure">${parts.join('')}</div>`;
}

function historyChart(history: ConformanceReport[]): string {
  const pts = history
    .map((h) => ({ t: Date.parse(h.startedAt), at: h.startedAt, p: h.summary.passed, f: h.summary.failed }))
    .filter((x) => Number.isFinite(x.t) && x.p + x.f > 0) // a run with nothing passed or failed has no pass rate
    .sort((a, b) => a.t - b.t);
  if (pts.length < 2) return '';
  const W = 600, H = 160, L = 40, R = 10, T = 10, B = 25;
  const t0 = pts[0]!.t, span = pts[pts.length - 1]!.t - t0 || 1;
  const xy = pts.map((x, i) => ({ ...x, rate: x.p / (x.p + x.f),
    // Equal timestamps would stack points; fall back to run order.
    x: L + (W - L - R) * (pts[pts.length - 1]!.t === t0 ? i / (pts.length - 1) : (x.t - t0) / span) }))
    .map((x) => ({ ...x, y: T + (H - T - B) * (1 - x.rate) }));
  const grid = [0, 0.5, 1].map((v) => { const y = T + (H - T - B) * (1 - v);
    return `<line x1="${L}" x2="${W - R}" y1="${y}" y2="${y}" stroke="#d0d7de"/><text x="${L - 4}" y="${y + 4}" text-anchor="end">${v * 100}%</text>`; }).join('');
  const dots = xy.map((p) => `<circle cx="${p.x.toFixed(1)}" cy="${p.y.toFixed(1)}" r="3.5" fill="#0969da"><title>${escapeHtml(p.at)}: ${(p.rate * 100).toFixed(1)}% (${p.p} passed, ${p.f} failed)</title></circle>`).join('');
  return `<h2>Pass rate over runs</h2><svg data-testid="history-chart" role="img" aria-label="pass rate over ${xy.length} runs" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}">`
    + `${grid}<polyline fill="none" stroke="#0969da" stroke-width="2" points="${xy.map((p) => `${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(' ')}"/>${dots}`
    + `<text x="${L}" y="${H - 6}">${escapeHtml(pts[0]!.at.slice(0, 10))}</text><text x="${W - R}" y="${H - 6}" text-anchor="end">${escapeHtml(pts[pts.length - 1]!.at.slice(0, 10))}</text></svg>`;
}

/** A failed MAY or tentative requirement informs; it gates only a MUST (and, in strict mode, a SHOULD) that is not tentative. */
const soft = (r: RequirementResult) => r.status === 'failed' && (r.level === 'MAY' || r.tentative);
const statusLabel = (r: RequirementResult) => (soft(r) ? `failed (${r.level === 'MAY' ? 'MAY' : 'tentative'}, informational)` : r.status === 'not-tested' ? 'not tested' : r.status);

/** The verdict in one line at the top (reports written before verdicts existed get none). */
function verdictBanner(report: ConformanceReport): string {
  if (!report.verdict) return '';
  const cls = report.verdict === 'CONFORMANT' ? 'v-CONFORMANT' : report.verdict === 'NOT CONFORMANT' ? 'v-NOT' : 'v-other';
  return `<p class="verdict ${cls}" data-testid="verdict">${escapeHtml(report.verdictLine ?? report.verdict)}</p>`;
}

const PERMISSION_SUBJECTS = new Set(['permission', 'scheme', 'method']);

/** The drift a `drift` run found (CSDL and permissions data), when any: each change with the requirements it would make wrong. */
function driftSection(drift: DriftReport | undefined): string {
  const changes = drift?.changes ?? [];
  if (!drift || !changes.some((c) => !c.known)) return '';
  const row = (c: DriftReport['changes'][number]) => {
    // drift.json is read back from disk: every field is escaped, and a missing list is an empty one.
    const requirements = c.requirements ?? [];
    const must = !c.known && requirements.some((r) => r.level === 'MUST');
    const reqs = requirements.map((r) => `<code>${escapeHtml(r.id)}</code> ${escapeHtml(r.level)}${r.tentative ? ' (tentative)' : ''}`).join(', ');
    return `<tr data-testid="drift-row" data-kind="${escapeHtml(c.kind)}" data-known="${escapeHtml(String(c.known === true))}"${c.known ? ' class="muted"' : ''}>`
      + `<td class="status${must ? ' s-failed' : c.known ? '' : ' s-skipped'}">${c.known ? 'known ' : ''}${escapeHtml(c.kind)}</td>`
      + `<td>${escapeHtml(c.subject)} <code>${escapeHtml(c.name)}</code></td><td>${escapeHtml(c.detail)}</td>`
      + `<td>${reqs || '—'}</td><td>${escapeHtml(c.because)}</td></tr>`;
  };
  const drifted = changes.filter((c) => !c.known).length;
  const permissionRows = changes.filter((c) => PERMISSION_SUBJECTS.has(c.subject)).length;
  return `<h2>Contract drift</h2><p data-testid="drift-summary">${escapeHtml(drifted)} change(s) between what the suite holds (its contract, its permissions data) and <code>${escapeHtml(drift.source)}</code>`
    + ` (${escapeHtml(changes.length - permissionRows)} from the CSDL, ${escapeHtml(permissionRows)} from the permissions data)`
    + ` (compared ${escapeHtml(drift.comparedAt)})${drift.mustTouched?.length ? `; they touch MUST requirements: ${escapeHtml(drift.mustTouched.join(', '))}` : '; none touches a MUST requirement'}.`
    + ` ${escapeHtml(changes.length - drifted)} known difference(s) are listed last.</p>`
    + `<table data-testid="drift"><thead><tr><th>Change</th><th>What</th><th>Detail</th><th>Would make wrong</th><th>Why</th></tr></thead><tbody>${changes.map(row).join('')}</tbody></table>`
    + (drift.notes?.length ? `<ul class="muted">${drift.notes.map((n) => `<li>${escapeHtml(n)}</li>`).join('')}</ul>` : '');
}

/** The failed requirements (gating before informational, each in catalogue order) and the others in catalogue order. */
export function failedFirst(requirements: RequirementResult[]): { failed: RequirementResult[]; rest: RequirementResult[] } {
  const failed = requirements.filter((r) => r.status === 'failed');
  return { failed: [...failed.filter((r) => !soft(r)), ...failed.filter(soft)], rest: requirements.filter((r) => r.status !== 'failed') };
}

/** Requirements tested per level: `MUST 31 of 31`. */
function coverageCells(report: ConformanceReport): string {
  const c = report.summary.coverage;
  if (!c) return '';
  return (['MUST', 'SHOULD', 'MAY'] as const).map((l) => `<div class="count coverage" data-testid="coverage-${l}"><b>${c[l].tested} of ${c[l].total}</b>${l} tested</div>`).join('');
}

export function renderConformanceHtml(report: ConformanceReport, opts: HtmlOptions = {}): string {
  const reportPath = opts.htmlReportPath ?? 'html/index.html';
  const s = report.summary;
  const count = (key: string, label: string, n: number | undefined) =>
    `<div class="count ${key}" data-testid="count-${key}"><b>${escapeHtml(n ?? 0)}</b>${label}</div>`;
  const tally = (st: string) => report.requirements.filter((r) => r.status === st).length;
  const { failed, rest } = failedFirst(report.requirements);
  const row = (r: RequirementResult) => {
    const det = `req-${escapeHtml(r.id)}`;
    return `<tr data-testid="req-row" data-id="${escapeHtml(r.id)}" data-status="${escapeHtml(r.status)}" data-level="${escapeHtml(r.level)}">`
      + `<td><button class="toggle" type="button" aria-expanded="false" aria-controls="${det}" aria-label="show tests">▸</button></td>`
      + `<td><code>${escapeHtml(r.id)}</code></td><td>${escapeHtml(r.level)}</td><td>${r.tentative ? 'tentative' : ''}</td>`
      + `<td>${escapeHtml(r.operation)}</td><td>${escapeHtml(r.title)}${r.reason ? `<div class="muted" data-testid="req-reason">${escapeHtml(r.status === 'blocked' ? `blocked by ${(r.blockedBy ?? []).join(', ')}: ` : '')}${escapeHtml(r.reason)}</div>` : ''}</td>`
      + `<td class="status s-${escapeHtml(r.status)}${soft(r) ? ' soft' : ''}" data-testid="req-status">${escapeHtml(statusLabel(r))}</td>`
      + `<td>${r.tests.length}</td></tr>`
      + `<tr class="detail" id="${det}" data-testid="req-tests" data-for="${escapeHtml(r.id)}" hidden><td colspan="8">${testRows(r, reportPath)}</td></tr>`;
  };
  // A page with failures opens on them: the failed requirements first (those that gate before the informational
  // ones), each a click from its evidence, then the rest in catalogue order.
  const group = (id: string, label: string) => `<tr class="group" data-testid="${id}"><th colspan="8">${escapeHtml(label)}</th></tr>`;
  const rows = failed.length
    ? group('group-failed', `Failed (${failed.length}): open a row for its evidence`) + failed.map(row).join('') + group('group-rest', `The other ${rest.length} requirements, in catalogue order`) + rest.map(row).join('')
    : rest.map(row).join('');
  const option = (v: string, label: string) => `<option value="${escapeHtml(v)}">${escapeHtml(label)}</option>`;
  const csp = `default-src 'none'; script-src ${sha256(JS)}; style-src ${sha256(CSS)}; img-src data:; base-uri 'none'; form-action 'none'`;

  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>Conformance — ${escapeHtml(report.target)}</title>
<style>${CSS}</style></head><body>
<h1>remoteActionAudit conformance</h1>
${verdictBanner(report)}
<dl class="meta" data-testid="meta">
<dt>Target</dt><dd>${escapeHtml(report.target)}</dd><dt>Profile</dt><dd>${escapeHtml(report.profile)}</dd>
<dt>Seed</dt><dd>${escapeHtml(report.seed)}</dd><dt>Started</dt><dd>${escapeHtml(report.startedAt)}</dd>
<dt>Duration</dt><dd>${escapeHtml((report.durationMs / 1000).toFixed(1))} s</dd><dt>Strict</dt><dd>${report.strict ? 'yes' : 'no'}</dd>
<dt>Suite</dt><dd>${escapeHtml(report.suiteVersion)}</dd><dt>Playwright report</dt><dd><a href="${escapeHtml(reportPath)}">${escapeHtml(reportPath)}</a></dd>
</dl>
<h2>Requirements by outcome</h2>
<div class="counts">${count('passed', 'passed', s.passed)}${count('failed', 'failed', s.failed)}${s.partial ? count('partial', 'partial', s.partial) : ''}${count('not-tested', 'not tested', s.notTested ?? s.skipped)}${count('blocked', 'blocked', s.blocked ?? 0)}${count('inconclusive', 'inconclusive', s.inconclusive ?? 0)}${s.expectedFailures ? count('expected-failures', 'expected failures', s.expectedFailures) : ''}${s.errored ? count('errored', 'tests errored', s.errored) : ''}</div>
<div class="counts">${coverageCells(report)}</div>
${driftSection(opts.drift)}
${historyChart(opts.history ?? [])}
<h2>Requirements</h2>
<div class="filters">
<label>Status <select data-testid="filter-status">${option('all', `all (${report.requirements.length})`)}${REQ_STATUSES.map((st) => option(st, `${st === 'not-tested' ? 'not tested' : st} (${tally(st)})`)).join('')}</select></label>
<label>Level <select data-testid="filter-level">${option('all', 'all')}${LEVELS.map((l) => option(l, l)).join('')}</select></label>
<button type="button" id="expand-all">expand / collapse all</button>
<span class="muted"><span id="shown">${report.requirements.length}</span> of ${report.requirements.length} shown</span>
</div>
<table data-testid="matrix"><thead><tr><th></th><th>ID</th><th>Level</th><th>Tentative</th><th>Operation</th><th>Title</th><th>Status</th><th>Tests</th></tr></thead>
<tbody>${rows}</tbody></table>
<script>${JS}</script>
</body></html>
`;
}
