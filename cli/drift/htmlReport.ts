/**
 * `--html`: the audit as one self-contained page (no network, inline CSS and one inline script).
 * Every value in it comes from servers' files and the inventory, so the page is built only through
 * `html`, which escapes whatever it interpolates, and data never goes inside <style> or <script>.
 * The Content-Security-Policy allows the page's own style and script, by hash, and nothing else:
 * should something ever slip through unescaped, it would not run.
 */
import { createHash } from "crypto";
import { SESSION_ATTRIBUTES, type SessionAttribute } from "../../provider/settings/schema";
import { byStatusThenName, type AuditEntry, type AuditReport, type AuditStatus, type EffectiveValue, type SessionValue } from "./report";

/** Markup already escaped, or ours. Only `html` and `raw` make one. */
class Html {
    constructor(readonly text: string) {}
}

type Part = Html | string | number | boolean | null | undefined | readonly Part[];

const ESCAPES: Readonly<Record<string, string>> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/** Escapes text for an element's content or a quoted attribute value alike. */
function escapeHtml(text: string): string {
    return text.replace(/[&<>"']/g, (character) => ESCAPES[character]);
}

function render(part: Part): string {
    if (part instanceof Html) return part.text;
    if (Array.isArray(part)) return part.map(render).join("");
    return part === null || part === undefined ? "" : escapeHtml(String(part));
}

/** A template whose interpolations are escaped, unless they are Html themselves. */
function html(strings: TemplateStringsArray, ...parts: Part[]): Html {
    return new Html(strings.reduce((out, text, index) => out + text + (index < parts.length ? render(parts[index]) : ""), ""));
}

/** The page's own constants (no data), as they are. */
const raw = (text: string) => new Html(text);

const sha256 = (text: string) => `'sha256-${createHash("sha256").update(text, "utf8").digest("base64")}'`;

const STATUS_LABEL: Readonly<Record<AuditStatus, string>> = { error: "error", "no-such-site": "no such site", overridden: "overridden", drift: "drift", "in-sync": "in sync" };
const FILTERS: readonly (AuditStatus | "all")[] = ["all", "error", "no-such-site", "overridden", "drift", "in-sync"];

const STYLE = `
:root { --error: #b42318; --error-bg: #fef3f2; --drift: #9a5b00; --drift-bg: #fff8e6; --ok: #067647; --ok-bg: #ecfdf3; --other: #6b2bb3; --other-bg: #f6f0fe;
  --line: #e4e7ec; --muted: #667085; --text: #1d2939; }
* { box-sizing: border-box; }
body { margin: 0; padding: 24px 32px; font: 14px/1.45 system-ui, "Segoe UI", "DejaVu Sans", sans-serif; color: var(--text); background: #f9fafb; }
h1 { font-size: 22px; margin: 0 0 4px; }
.meta { color: var(--muted); margin: 0 0 20px; }
.stats { display: flex; flex-wrap: wrap; gap: 12px; margin: 0 0 20px; padding: 0; }
.stat { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 10px 16px; min-width: 130px; }
.stat dt { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .04em; }
.stat dd { margin: 0; font-size: 24px; font-weight: 600; }
.stat.error { border-left: 4px solid var(--error); } .stat.drift { border-left: 4px solid var(--drift); } .stat.in-sync { border-left: 4px solid var(--ok); }
.stat.overridden, .stat.no-such-site { border-left: 4px solid var(--other); }
.filters { margin: 0 0 12px; display: flex; gap: 8px; align-items: center; }
.filters button { font: inherit; padding: 4px 12px; border: 1px solid var(--line); border-radius: 999px; background: #fff; cursor: pointer; }
.filters button[aria-pressed="true"] { background: var(--text); border-color: var(--text); color: #fff; }
/* Fixed columns: a long unbroken value from a server wraps instead of widening the page. */
table.servers { width: 100%; border-collapse: collapse; background: #fff; border: 1px solid var(--line); table-layout: fixed; }
.servers col.server { width: 9%; } .servers col.target { width: 21%; } .servers col.location { width: 15%; } .servers col.status { width: 8%; }
.servers > thead th { text-align: left; font-size: 12px; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); background: #f2f4f7; }
.servers > thead th, .servers > tbody > tr > td { padding: 8px 12px; border-bottom: 1px solid var(--line); vertical-align: top; overflow-wrap: anywhere; }
tr.error > td:first-child { box-shadow: inset 4px 0 var(--error); } tr.drift > td:first-child { box-shadow: inset 4px 0 var(--drift); }
tr.overridden > td:first-child, tr.no-such-site > td:first-child { box-shadow: inset 4px 0 var(--other); }
tr.in-sync > td:first-child { box-shadow: inset 4px 0 var(--ok); }
.badge { display: inline-block; padding: 1px 8px; border-radius: 999px; font-size: 12px; font-weight: 600; white-space: nowrap; }
.badge.error { color: var(--error); background: var(--error-bg); } .badge.drift { color: var(--drift); background: var(--drift-bg); }
.badge.in-sync { color: var(--ok); background: var(--ok-bg); }
.badge.overridden, .badge.no-such-site { color: var(--other); background: var(--other-bg); }
.kind { color: var(--muted); font-size: 12px; margin-right: 4px; }
.server-level { color: var(--muted); font-style: italic; }
code, .value, .message { font-family: "DejaVu Sans Mono", Consolas, monospace; font-size: 12.5px; }
table.attributes { border-collapse: collapse; width: 100%; table-layout: fixed; }
.attributes th, .attributes td { padding: 2px 10px 2px 4px; text-align: left; overflow-wrap: anywhere; }
.attributes th:nth-child(1) { width: 34%; } .attributes th:nth-child(2), .attributes th:nth-child(3) { width: 17%; }
.attributes th { font-size: 11px; color: var(--muted); font-weight: 500; }
.attributes tr.diff td { background: var(--drift-bg); }
.attributes tr.diff td:first-child::before { content: "\\2260  "; color: var(--drift); font-weight: 700; }
.attributes tr.same { color: var(--muted); }
.not-set { color: var(--muted); font-style: italic; }
.source { color: var(--muted); font-size: 12px; }
.message { margin: 4px 0 0; white-space: pre-wrap; word-break: break-word; }
.muted { color: var(--muted); }
[hidden] { display: none !important; }
`;

/** Shows the rows of the chosen status; the control stays hidden if scripts cannot run. */
const SCRIPT = `
(function () {
  var buttons = document.querySelectorAll("button[data-filter]");
  var rows = document.querySelectorAll("tr[data-status]");
  function show(filter) {
    rows.forEach(function (row) { row.hidden = filter !== "all" && row.getAttribute("data-status") !== filter; });
    buttons.forEach(function (button) { button.setAttribute("aria-pressed", String(button.getAttribute("data-filter") === filter)); });
  }
  buttons.forEach(function (button) {
    button.addEventListener("click", function () { show(button.getAttribute("data-filter")); });
  });
  document.querySelector(".filters").hidden = false;
})();
`;

/** The Content-Security-Policy of a page with this style and script: those, and nothing else. */
function contentSecurityPolicy(style: string, script: string): string {
    return [
        "default-src 'none'",
        `script-src ${sha256(script)}`,
        `style-src ${sha256(style)}`,
        "base-uri 'none'",
        "form-action 'none'",
    ].join("; ");
}

export function renderHtmlReport(report: AuditReport): string {
    const entries = [...report.servers].sort(byStatusThenName);
    const { summary } = report;
    const count = (status: AuditStatus) => entries.filter((entry) => entry.status === status).length;
    const page = html`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${contentSecurityPolicy(STYLE, SCRIPT)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${report.tool.name} drift report: ${summary.drift + summary.overridden + summary.noSuchSite} not in the desired state, ${summary.error} error</title>
<style>${raw(STYLE)}</style>
</head>
<body>
<h1>IIS ASP session drift report</h1>
<p class="meta">${report.tool.name} ${report.tool.version} · started <time datetime="${report.startedAt}">${report.startedAt}</time> · took ${formatDuration(report.durationMs)}</p>
<dl class="stats">
${stat("servers", "Servers", summary.servers)}${stat("locations", "Locations checked", summary.locations)}${stat("in-sync", "In sync", summary.inSync)}${stat("drift", "Drift", summary.drift)}${stat("overridden", "Overridden by web.config", summary.overridden)}${stat("no-such-site", "No such site", summary.noSuchSite)}${stat("error", "Error", summary.error)}
</dl>
<div class="filters" role="group" aria-label="Show" hidden>
<span class="muted">Show:</span>
${FILTERS.map((filter) => html`<button type="button" data-filter="${filter}" aria-pressed="${filter === "all"}">${filter === "all" ? "all" : STATUS_LABEL[filter]} (${filter === "all" ? entries.length : count(filter)})</button>
`)}</div>
<table class="servers">
<colgroup><col class="server"><col class="target"><col class="location"><col class="status"><col></colgroup>
<thead><tr><th>Server</th><th>Target</th><th>Location</th><th>Status</th><th>Details</th></tr></thead>
<tbody>
${entries.length === 0 ? html`<tr><td colspan="5" class="muted">No server was checked.</td></tr>` : entries.map(row)}</tbody>
</table>
<script>${raw(SCRIPT)}</script>
</body>
</html>
`;
    return page.text;
}

function stat(kind: string, label: string, value: number): Html {
    return html`<div class="stat ${kind}"><dt>${label}</dt><dd>${value}</dd></div>`;
}

function row(entry: AuditEntry): Html {
    const target = entry.target.kind === "file" ? entry.target.path : entry.target.host;
    const location = entry.location === "" ? html`<span class="server-level">(server)</span>` : entry.location;
    return html`<tr class="${entry.status}" data-status="${entry.status}">
<td>${entry.name}</td>
<td><span class="kind">${entry.target.kind}</span>${target}</td>
<td>${location}</td>
<td><span class="badge ${entry.status}">${STATUS_LABEL[entry.status] ?? entry.status}</span></td>
<td>${details(entry)}</td>
</tr>
`;
}

function details(entry: AuditEntry): Html {
    switch (entry.status) {
        case "error":
            return html`<span class="badge error">${entry.errorKind ?? "other"}</span><pre class="message">${entry.error ?? ""}</pre>`;
        case "drift":
            return attributeTable(entry);
        case "overridden":
        case "no-such-site":
            return html`<p class="reason">${entry.reason ?? ""}</p>${attributeTable(entry)}`;
        case "in-sync":
            return html`<span class="muted">${managed(entry).map((name, index) => html`${index > 0 ? ", " : ""}<code>${name}</code> ${String(entry.desired[name])}`)}</span>`;
    }
}

/** The managed attributes, in schema order: the differing ones marked, the others for context. */
function attributeTable(entry: AuditEntry): Html {
    const line = (name: SessionAttribute) => {
        const differs = entry.differences.includes(name);
        return html`<tr class="${differs ? "diff" : "same"}"><td><code>${name}</code></td><td>${value(entry.desired[name])}</td><td>${value(entry.live[name])}</td><td>${effective(entry.effective[name])}</td></tr>`;
    };
    return html`<table class="attributes"><thead><tr><th>attribute</th><th>desired</th><th>live (set here)</th><th>effective (source)</th></tr></thead>
<tbody>${managed(entry).map(line)}</tbody></table>`;
}

function managed(entry: AuditEntry): SessionAttribute[] {
    return SESSION_ATTRIBUTES.filter((name) => entry.desired[name] !== undefined || entry.differences.includes(name));
}

function value(v: SessionValue | null | undefined): Html {
    return v === null || v === undefined ? html`<span class="not-set">not set</span>` : html`<span class="value">${String(v)}</span>`;
}

function effective(e: EffectiveValue | undefined): Html {
    if (e === undefined) return html`<span class="not-set">unknown</span>`;
    const source = e.source === "parent" ? `parent: ${e.from === "" || e.from === undefined ? "(server)" : e.from}` : e.source === "webConfig" ? `web.config: ${e.from ?? ""}` : e.source;
    return html`${value(e.value)} <span class="source">(${source})</span>`;
}

function formatDuration(ms: number): string {
    if (ms < 1000) return `${Math.round(ms)} ms`;
    if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
    const seconds = Math.round(ms / 1000);
    return `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
}
