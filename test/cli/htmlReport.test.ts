/**
 * `--html`'s page (cli/drift/htmlReport): its text (the CSP's hashes, escaping of every special
 * character), then the page in a real headless Chromium: the counts and rows shown, the status
 * filter, a hostile report that runs nothing and shows its strings as text, no network request.
 * Screenshots go to reports/ (and to docs/drift-report.png with UPDATE_DOCS_SCREENSHOT=1).
 */
import { strict as assert } from "assert";
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { pathToFileURL } from "url";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { renderHtmlReport } from "../../cli/drift/htmlReport";
import { byStatusThenName, summarise, type AuditEntry, type AuditReport, type AuditStatus } from "../../cli/drift/report";
import { SESSION_ATTRIBUTES } from "../../provider/settings/schema";
import { projectRoot, underCi } from "../support/paths";
import { scratchDir } from "../support/scratch";
import { seededRandom } from "../support/seededRandom";
import { HOSTILE, hostileReport, sampleReport } from "./sampleReport";

const STATUSES: readonly AuditStatus[] = ["error", "no-such-site", "overridden", "drift", "in-sync"];

/** The little of the DOM the in-page callbacks use: the project compiles without the DOM's types. */
interface DomElement {
    textContent: string | null;
    children: ArrayLike<DomElement>;
    getAttribute(name: string): string | null;
    querySelector(selector: string): DomElement | null;
    querySelectorAll(selector: string): ArrayLike<DomElement>;
    getClientRects(): ArrayLike<unknown>;
    ownerDocument: { defaultView: { getComputedStyle(element: DomElement): { color: string } } };
}

/** The one element of this name, and its text. */
function only(page: string, element: "script" | "style"): string {
    const found = [...page.matchAll(new RegExp(`<${element}>([\\s\\S]*?)</${element}>`, "g"))];
    assert.equal(found.length, 1, `one <${element}> element`);
    return found[0][1];
}

/** The page's Content-Security-Policy, directive by directive (the attribute decoded). */
function policy(page: string): Map<string, string[]> {
    const match = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(page);
    assert.ok(match, "a CSP <meta>");
    const decoded = match[1].replace(/&#39;/g, "'").replace(/&quot;/g, '"').replace(/&amp;/g, "&");
    return new Map(decoded.split(";").map((directive) => directive.trim().split(/\s+/)).map(([name, ...sources]) => [name, sources]));
}

const sha256 = (text: string) => `'sha256-${createHash("sha256").update(text, "utf8").digest("base64")}'`;

/** The report with each string from servers or the inventory replaced (not the enums, nor differences' attribute names). */
function mapStrings(report: AuditReport, replace: (text: string) => string): AuditReport {
    return JSON.parse(JSON.stringify(report), (key, value) =>
        typeof value === "string" && !["status", "kind", "source", "errorKind"].includes(key) && !/^\d+$/.test(key) ? replace(value) : value);
}

describe("--html report (cli/drift/htmlReport)", function () {
    describe("the page's text", function () {
        it("has a CSP that allows only its own script and style, by their SHA-256 hashes", function () {
            const page = renderHtmlReport(sampleReport());
            const csp = policy(page);
            assert.deepEqual([...csp.keys()].sort(), ["base-uri", "default-src", "form-action", "script-src", "style-src"]);
            assert.deepEqual(csp.get("default-src"), ["'none'"]);
            assert.deepEqual(csp.get("script-src"), [sha256(only(page, "script"))]);
            assert.deepEqual(csp.get("style-src"), [sha256(only(page, "style"))]);
            assert.ok(page.indexOf("Content-Security-Policy") < page.indexOf("<style>"), "the policy comes before the style and script");
            assert.doesNotMatch(page, /\s(src|href|style|on\w+)=/i, "no external resource, style attribute or event handler");
        });

        it("hashes the text it actually holds (the hostile report's page, whose script and style are the same)", function () {
            const page = renderHtmlReport(hostileReport());
            assert.deepEqual(policy(page).get("script-src"), [sha256(only(page, "script"))]);
            assert.equal(only(page, "script"), only(renderHtmlReport(sampleReport()), "script"), "no data inside the script");
            assert.equal(only(page, "style"), only(renderHtmlReport(sampleReport()), "style"), "no data inside the style");
        });

        it("escapes a string holding every special character, in text and attributes", function () {
            const report = sampleReport();
            report.servers[0].location = `<a href='x' title="y">&amp;</a>`;
            const page = renderHtmlReport(report);
            assert.ok(page.includes("&lt;a href=&#39;x&#39; title=&quot;y&quot;&gt;&amp;amp;&lt;/a&gt;"));
            assert.ok(!page.includes("<a "));
            const hostile = renderHtmlReport(hostileReport());
            assert.equal(hostile.split("</script").length - 1, 1, "only the page's own </script>");
            assert.equal(hostile.split("</style").length - 1, 1, "only the page's own </style>");
            assert.doesNotMatch(hostile, /<(img|svg)\b/i);
        });

        it("property: data adds no <, >, \" or ' to the page, and every & it adds starts an entity (random strings, 300 reports)", function () {
            const random = seededRandom(20260314);
            const alphabet = ["<", ">", "&", '"', "'", "/", "=", ";", "#", " ", "\n", "x", "script", "</style>", "</script>", "&lt;", "&#39;", "\u2028", "é"];
            const randomString = () => Array.from({ length: 1 + Math.floor(random() * 12) }, () => alphabet[Math.floor(random() * alphabet.length)]).join("");
            const count = (text: string, characters: RegExp) => (text.match(characters) ?? []).length;
            for (let run = 0; run < 300; run++) {
                const base = run % 2 === 0 ? sampleReport() : hostileReport();
                const page = renderHtmlReport(mapStrings(base, randomString));
                // The same report with every string "x": the markup alone.
                const markup = renderHtmlReport(mapStrings(base, () => "x"));
                for (const characters of [/</g, />/g, /"/g, /'/g]) {
                    assert.equal(count(page, characters), count(markup, characters), `run ${run}: ${characters} from data`);
                }
                assert.doesNotMatch(page.replace(only(page, "script"), ""), /&(?!(amp|lt|gt|quot|#39);)/, `run ${run}: a bare & from data`);
            }
        });
    });

    describe("in Chromium", function () {
        this.timeout(120_000);
        let browser: Browser | undefined;
        let scratch: string;
        const contexts: BrowserContext[] = [];

        before(async function () {
            const executable = findChromium();
            if (executable === undefined) {
                const problem = "no chromium or chromium-browser on PATH: install Debian's chromium (apt-get install chromium) to run the --html report's browser tests";
                if (underCi) throw new Error(`CI=true but ${problem}`);
                console.log(`      skipped: ${problem}`);
                this.skip();
            }
            scratch = scratchDir("html-report-");
            const { chromium } = await import("playwright-core");
            // Root (the CI container) cannot use Chromium's sandbox.
            browser = await chromium.launch({ executablePath: executable, args: process.getuid?.() === 0 ? ["--no-sandbox"] : [] });
        });
        afterEach(async function () {
            for (const context of contexts.splice(0)) await context.close();
        });
        after(async function () {
            await browser?.close();
            if (scratch !== undefined) fs.rmSync(scratch, { recursive: true, force: true });
        });

        interface Violation {
            directive: string;
            blocked: string;
            sample: string;
        }

        interface Opened {
            page: Page;
            url: string;
            /** Every request the page made or tried (Chromium reports those the CSP refuses too), by URL. */
            requests: string[];
            /** The requests that failed: URL and why. */
            failed: string[];
            /** Console errors and uncaught exceptions. */
            errors: string[];
            /** The page's securitypolicyviolation events. */
            violations(): Promise<Violation[]>;
        }

        /** The page as a user opens it: a file in a folder, by its file:// URL. */
        async function open(html: string, name: string): Promise<Opened> {
            const file = path.join(scratch, `${name}.html`);
            fs.writeFileSync(file, html);
            const context = await browser!.newContext({ viewport: { width: 1280, height: 800 } });
            contexts.push(context);
            const page = await context.newPage();
            const requests: string[] = [];
            const errors: string[] = [];
            const failed: string[] = [];
            context.on("request", (request) => requests.push(request.url()));
            context.on("requestfailed", (request) => failed.push(`${request.url()} ${request.failure()?.errorText}`));
            page.on("console", (message) => {
                if (message.type() === "error") errors.push(message.text());
            });
            page.on("pageerror", (error) => errors.push(error.message));
            // Runs before the page's own script, outside its CSP. (Text: the project compiles without DOM types.)
            await page.addInitScript(`window.__violations = [];
                document.addEventListener("securitypolicyviolation", (event) =>
                    window.__violations.push({ directive: event.effectiveDirective, blocked: event.blockedURI, sample: event.sample }));`);
            const url = pathToFileURL(file).href;
            await page.goto(url);
            return { page, url, requests, failed, errors, violations: () => page.evaluate<Violation[]>("window.__violations") };
        }

        /** The visible rows of the servers table: status (by data-status and by the badge's text), cell texts. */
        function visibleRows(page: Page) {
            return page.$$eval("table.servers > tbody > tr", (rows: DomElement[]) => rows.filter((row) => row.getClientRects().length > 0).map((row) => ({
                status: row.getAttribute("data-status"),
                badge: row.querySelector("td:nth-child(4)")?.textContent,
                cells: Array.from(row.children, (cell) => cell.textContent ?? ""),
                diff: Array.from(row.querySelectorAll("tr.diff td:first-child"), (cell) => cell.textContent),
                message: row.querySelector("pre.message")?.textContent,
            })));
        }

        function countByStatus(statuses: (string | null)[]): Record<string, number> {
            return Object.fromEntries(STATUSES.map((status) => [status, statuses.filter((s) => s === status).length]));
        }

        const pwned = (page: Page) => page.evaluate<unknown>("window.__pwned");

        async function screenshot(page: Page, name: string): Promise<string> {
            const file = path.join(projectRoot, "reports", name);
            fs.mkdirSync(path.dirname(file), { recursive: true });
            await page.screenshot({ path: file, fullPage: true });
            return file;
        }

        it("shows the summary of report.summary and one row per entry, errors first, then drift, then in sync", async function () {
            const report = sampleReport();
            const { page, errors } = await open(renderHtmlReport(report), "sample");
            const stats = Object.fromEntries(await page.$$eval(".stat", (all: DomElement[]) => all.map((stat) => [stat.querySelector("dt")?.textContent, Number(stat.querySelector("dd")?.textContent)])));
            const { summary } = report;
            assert.deepEqual(stats, { Servers: summary.servers, "Locations checked": summary.locations, "In sync": summary.inSync, Drift: summary.drift,
                "Overridden by web.config": summary.overridden, "No such site": summary.noSuchSite, Error: summary.error });
            assert.deepEqual(summary, { servers: 7, locations: 14, inSync: 5, drift: 4, overridden: 1, noSuchSite: 1, error: 3 }, "the sample has every status");
            const meta = await page.textContent(".meta");
            assert.ok(meta?.includes("iis-asp-session 0.1.0") && meta.includes(report.startedAt) && meta.includes("4.2 s"), meta ?? "");

            const rows = await visibleRows(page);
            const sorted = [...report.servers].sort(byStatusThenName);
            assert.deepEqual(rows.map((row) => [row.cells[0], row.cells[2], row.status]), sorted.map((entry) => [entry.name, entry.location || "(server)", entry.status]));
            assert.deepEqual(countByStatus(rows.map((row) => row.status)), { error: summary.error, drift: summary.drift, "in-sync": summary.inSync, overridden: summary.overridden, "no-such-site": summary.noSuchSite });
            assert.deepEqual(rows.map((row) => row.badge), sorted.map((entry) => entry.status.replace(/-/g, " ")), "status as text");

            for (const [index, entry] of sorted.entries()) {
                const row = rows[index];
                const target = entry.target.kind === "file" ? entry.target.path : entry.target.host;
                assert.equal(row.cells[1], `${entry.target.kind}${target}`);
                if (entry.status === "drift") {
                    assert.deepEqual(row.diff, entry.differences.map((name) => `${name}`), `${entry.name} ${entry.location}: the differing attributes marked`);
                    for (const name of entry.differences) {
                        const live = entry.live[name];
                        const effective = entry.effective[name]!;
                        const source = effective.source === "parent" ? `parent: ${effective.from}` : effective.source;
                        assert.ok(row.cells[4].includes(`${name}${entry.desired[name]}${live === null ? "not set" : live}${effective.value} (${source})`), `${name} in ${row.cells[4]}`);
                    }
                }
                if (entry.status === "overridden" || entry.status === "no-such-site") {
                    assert.ok(row.cells[4].startsWith(entry.reason!), `${entry.status}: the reason first, in ${row.cells[4]}`);
                }
                if (entry.status === "overridden") {
                    const [name] = entry.differences;
                    const effective = entry.effective[name]!;
                    assert.ok(row.cells[4].includes(`${effective.value} (web.config: ${effective.from})`), `the web.config named as the source in ${row.cells[4]}`);
                }
                if (entry.status === "error") {
                    assert.ok(row.cells[4].startsWith(entry.errorKind!));
                    assert.equal(row.message, entry.error);
                }
            }
            // Colour as well as text: each status's badge has its own colour.
            const colours = await page.$$eval("table.servers > tbody > tr > td > .badge", (badges: DomElement[]) => [...new Set(badges.map((badge) => badge.ownerDocument.defaultView.getComputedStyle(badge).color))]);
            // (overridden and no-such-site share one: read, but not as desired, and not drift either)
            assert.equal(colours.length, 4, colours.join(", "));
            assert.deepEqual(errors, []);

            const file = await screenshot(page, "drift-report.png");
            if (process.env.UPDATE_DOCS_SCREENSHOT === "1") {
                fs.mkdirSync(path.join(projectRoot, "docs"), { recursive: true });
                fs.copyFileSync(file, path.join(projectRoot, "docs", "drift-report.png"));
            }
        });

        it("filters by status: drift, error, in sync, all (the page's own script runs under its CSP)", async function () {
            const report = sampleReport();
            const { page, errors, violations } = await open(renderHtmlReport(report), "filter");
            const expected = countByStatus(report.servers.map((entry) => entry.status));
            for (const filter of ["drift", "error", "in-sync", "all"] as const) {
                await page.click(`button[data-filter="${filter}"]`);
                const statuses = (await visibleRows(page)).map((row) => row.status);
                if (filter === "all") assert.deepEqual(countByStatus(statuses), expected);
                else assert.deepEqual(statuses, Array(expected[filter]).fill(filter), `after clicking ${filter}`);
                assert.deepEqual(await page.$$eval("button[aria-pressed=true]", (buttons: DomElement[]) => buttons.map((button) => button.getAttribute("data-filter"))), [filter]);
            }
            assert.deepEqual(await violations(), []);
            assert.deepEqual(errors, []);
        });

        it("runs nothing from a hostile report and shows its strings verbatim as text", async function () {
            const report = hostileReport();
            const { page, errors, violations } = await open(renderHtmlReport(report), "hostile");
            assert.equal(await pwned(page), undefined);
            assert.deepEqual(await page.$$eval("img, svg, iframe", (found: DomElement[]) => found.length), 0);
            assert.deepEqual(await page.$$eval("script", (found: DomElement[]) => found.length), 1);

            const rows = await visibleRows(page);
            const sorted = [...report.servers].sort(byStatusThenName);
            assert.deepEqual(rows.map((row) => row.cells.slice(0, 3)), sorted.map((entry) => [
                entry.name, `${entry.target.kind}${entry.target.kind === "file" ? entry.target.path : entry.target.host}`, entry.location,
            ]));
            assert.equal(rows.find((row) => row.status === "error")?.message, report.servers.find((entry) => entry.status === "error")?.error);
            const drift = report.servers.find((entry) => entry.status === "drift")!;
            const detail = rows.find((row) => row.status === "drift")!.cells[4];
            for (const text of [drift.desired.timeout, drift.live.timeout, drift.effective.timeout!.value, drift.effective.timeout!.from]) {
                assert.ok(detail.includes(String(text)), `${text} in ${detail}`);
            }
            const body = (await page.textContent("body")) ?? "";
            for (const text of HOSTILE) assert.ok(body.includes(text), `${text} shown as text`);
            assert.equal(await page.title(), `${report.tool.name} drift report: 1 not in the desired state, 1 error`);

            // The page's own script ran (the filter works) and nothing was refused: nothing else tried.
            await page.click('button[data-filter="error"]');
            assert.deepEqual((await visibleRows(page)).map((row) => row.status), ["error"]);
            assert.deepEqual(await violations(), []);
            assert.deepEqual(errors, []);
            await page.click('button[data-filter="all"]');
            await screenshot(page, "drift-report-hostile.png");
        });

        it("makes no network request: the file itself is all it loads", async function () {
            for (const [name, report] of [["quiet-sample", sampleReport()], ["quiet-hostile", hostileReport()]] as const) {
                const { page, url, requests } = await open(renderHtmlReport(report), name);
                for (const filter of ["drift", "error", "all"]) await page.click(`button[data-filter="${filter}"]`);
                await page.waitForLoadState("networkidle");
                assert.deepEqual(requests, [url], name);
            }
        });

        it("the checks catch what they look for: markup spliced in unescaped is refused by the CSP and reported; without a CSP it runs and loads", async function () {
            const injected = `<script>window.__pwned=1</script><img src="http://127.0.0.1:9/x.png" onerror="window.__pwned=2">`;
            const page = renderHtmlReport(sampleReport());
            const guarded = await open(page.replace("</body>", `${injected}</body>`), "spliced");
            assert.equal(await pwned(guarded.page), undefined);
            await guarded.page.waitForFunction("window.__violations.length >= 3");
            const directives = (await guarded.violations()).map((violation) => violation.directive).sort();
            assert.deepEqual(directives, ["img-src", "script-src-attr", "script-src-elem"], JSON.stringify(await guarded.violations()));
            assert.deepEqual(guarded.failed, ["http://127.0.0.1:9/x.png csp"]);

            const open_ = await open(`<!DOCTYPE html><title>no CSP</title>${injected}`, "unguarded");
            await open_.page.waitForLoadState("networkidle");
            assert.notEqual(await pwned(open_.page), undefined);
            assert.ok(open_.requests.includes("http://127.0.0.1:9/x.png"), open_.requests.join(", "));
        });
    });

    it("the sample report is realistic: seven servers, the server level and the shop (and a misspelt site), every status, summary from its rows", function () {
        const report = sampleReport();
        assert.deepEqual([...new Set(report.servers.map((entry) => entry.name))], ["web01", "web02", "web03", "web04", "web05", "web06", "web07"]);
        assert.deepEqual([...new Set(report.servers.map((entry) => entry.location))], ["", "Default Web Site/shop", "Default Website/shop"]);
        assert.deepEqual([...new Set(report.servers.map((entry) => entry.status))].sort(), [...STATUSES].sort());
        assert.deepEqual(report.summary, summarise(report.servers));
        for (const entry of report.servers.filter((e: AuditEntry) => e.status === "drift")) {
            assert.ok(entry.differences.length > 0 && entry.differences.every((name) => SESSION_ATTRIBUTES.includes(name) && entry.desired[name] !== undefined));
        }
    });

    it("docs/drift-report.png, the README's example, is a PNG screenshot (UPDATE_DOCS_SCREENSHOT=1 renews it)", function () {
        const png = fs.readFileSync(path.join(projectRoot, "docs", "drift-report.png"));
        assert.equal(png.subarray(0, 8).toString("hex"), "89504e470d0a1a0a");
        assert.ok(png.readUInt32BE(16) >= 1000 && png.readUInt32BE(20) >= 400, `${png.readUInt32BE(16)}x${png.readUInt32BE(20)}`);
    });
});

/** The first chromium (or chromium-browser) on PATH, as `which` finds it. */
function findChromium(): string | undefined {
    for (const name of ["chromium", "chromium-browser"]) {
        for (const dir of (process.env.PATH ?? "").split(path.delimiter).filter(Boolean)) {
            const candidate = path.join(dir, name);
            try {
                fs.accessSync(candidate, fs.constants.X_OK);
                return candidate;
            } catch {
                // not here
            }
        }
    }
    return undefined;
}
