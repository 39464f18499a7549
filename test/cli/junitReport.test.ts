/**
 * `--junit`'s XML (cli/drift/junitReport.ts) read back by parsers that are not ours: Python's
 * junitparser (what CI-side tooling uses to read JUnit files), Python's ElementTree (expat: strict
 * XML 1.0 well-formedness) and fast-xml-parser's validator. Each reading is compared with the
 * AuditReport it was made from: on fleets of our own (one with control characters, a lone
 * surrogate and CR in every string) and on those of test/cli/sampleReport.ts.
 */
import * as assert from "assert";
import { spawnSync } from "child_process";
import { XMLParser, XMLValidator } from "fast-xml-parser";
import * as fs from "fs";
import * as path from "path";
import { renderJunitReport } from "../../cli/drift/junitReport";
import { AuditEntry, AuditReport, byStatusThenName, summarise } from "../../cli/drift/report";
import { underCi } from "../support/paths";
import { scratchDir } from "../support/scratch";
import * as shared from "./sampleReport";

// ---------------------------------------------------------------- fixtures

const SHOP = "Default Web Site/shop";
const DESIRED = { allowSessionState: true, max: 500, timeout: "00:30:00" };

function inSync(name: string, target: AuditEntry["target"], location: string): AuditEntry {
    return {
        name, target, location, status: "in-sync", desired: DESIRED,
        live: { allowSessionState: true, max: 500, timeout: "00:30:00" },
        effective: {
            allowSessionState: { value: true, source: "location" },
            max: { value: 500, source: "location" },
            timeout: { value: "00:30:00", source: "location" },
        },
        differences: [],
    };
}

function failed(name: string, target: AuditEntry["target"], location: string, errorKind: AuditEntry["errorKind"], error: string): AuditEntry {
    return { name, target, location, status: "error", desired: DESIRED, live: {}, effective: {}, differences: [], error, errorKind };
}

function report(rows: AuditEntry[], durationMs = 12_345): AuditReport {
    return { tool: { name: "iis-asp-session", version: "0.1.0" }, startedAt: "2026-03-02T08:15:30.250Z", durationMs, summary: summarise(rows), servers: rows };
}

/** web01 in sync, web02 drift at the site, web03 drift at the server and a config error, web04 unreachable; rows in the CLI's order (errors first), so servers interleave. */
function fleetReport(): AuditReport {
    const web01 = { kind: "winrm", host: "web01.contoso.com" } as const;
    const web02 = { kind: "ssh", host: "web02.contoso.com" } as const;
    const web03 = { kind: "file", path: "/srv/iis/web03/applicationHost.config" } as const;
    const web04 = { kind: "winrm", host: "web04.contoso.com" } as const;
    const rows: AuditEntry[] = [
        inSync("web01", web01, ""),
        inSync("web01", web01, SHOP),
        inSync("web02", web02, ""),
        {
            name: "web02", target: web02, location: SHOP, status: "drift", desired: DESIRED,
            live: { allowSessionState: true, max: null, timeout: "00:20:00" },
            effective: {
                allowSessionState: { value: true, source: "location" },
                max: { value: 200, source: "parent", from: "Default Web Site" },
                timeout: { value: "00:20:00", source: "location" },
            },
            differences: ["max", "timeout"],
        },
        {
            name: "web03", target: web03, location: "", status: "drift", desired: DESIRED,
            live: { allowSessionState: false, max: 500, timeout: null },
            effective: {
                allowSessionState: { value: false, source: "location" },
                max: { value: 500, source: "location" },
                timeout: { value: "00:20:00", source: "default" },
            },
            differences: ["allowSessionState", "timeout"],
        },
        failed("web03", web03, SHOP, "config", "/srv/iis/web03/applicationHost.config: reading location \"Default Web Site/shop\": line 12: max=\"lots\" is not a whole number from 0 to 4294967295"),
        failed("web04", web04, "", "unreachable", "web04.contoso.com:5986: connecting: connect ETIMEDOUT 10.0.0.4:5986\n  after 3 attempts"),
        failed("web04", web04, SHOP, "unreachable", "web04.contoso.com:5986: connecting: connect ETIMEDOUT 10.0.0.4:5986\n  after 3 attempts"),
    ];
    return report(rows.sort(byStatusThenName));
}

/** Every field a server controls made of text XML must escape, or cannot carry at all. */
const NASTY = `<&"'>]]>\u0001\u001b[31m\ud800😀\uffff\r\n\tend`;

function nastyReport(): AuditReport {
    const name = `web<01>&"'${NASTY}`;
    const target = { kind: "ssh", host: `host${NASTY}` } as const;
    const rows: AuditEntry[] = [
        inSync(name, target, ""),
        {
            name, target, location: `Default Web Site/${NASTY}`, status: "drift",
            desired: { timeout: `00:30:00${NASTY}` },
            live: { timeout: `00:20:00${NASTY}` },
            effective: { timeout: { value: `00:20:00${NASTY}`, source: "parent", from: `Default Web Site${NASTY}` } },
            differences: ["timeout"],
        },
        failed(name, target, `shop${NASTY}`, "other", `refused: ${NASTY}\r\nsecond line ]]> <![CDATA[ x ]]>`),
        failed(`web02.contoso.com${NASTY}`, { kind: "file", path: `C:\\inetpub\\${NASTY}\\applicationHost.config` }, "", "missing", NASTY),
    ];
    return report(rows, 1_500);
}

// ---------------------------------------------------------------- what a reader must see

/**
 * The text as an XML reader gets it back: characters outside XML 1.0's Char production (control
 * characters but tab, LF and CR; lone surrogates; U+FFFE, U+FFFF) become U+FFFD, everything else is kept.
 */
function readBack(text: string): string {
    let out = "";
    for (const char of text) {
        const cp = char.codePointAt(0)!;
        const allowed = cp === 0x9 || cp === 0xa || cp === 0xd || (cp >= 0x20 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) || cp >= 0x10000;
        out += allowed ? char : "\ufffd";
    }
    return out;
}

interface ReadCase { name: string; classname: string; time: number; results: { tag: string; type: string | null; message: string | null; text: string | null }[] }
interface ReadSuite { name: string; hostname: string; timestamp: string; time: number; tests: number; failures: number; errors: number; skipped: number; properties: Record<string, string>; cases: ReadCase[] }
interface Counts { tests: number; failures: number; errors: number; skipped: number }
interface JunitReading { root: Counts & { name: string; time: number }; suites: ReadSuite[]; recounted: { root: Counts; suites: Counts[] } }

/** One line per differing attribute: desired, live (or "not set"), effective and its source. */
function driftText(entry: AuditEntry): string {
    const show = (value: unknown) => (value === null || value === undefined ? "not set" : String(value));
    return entry.differences.map((name) => {
        const effective = entry.effective[name]!;
        const source = effective.source === "parent" ? `parent ${effective.from === "" ? "(server)" : effective.from}` : effective.source;
        return `${name}: desired ${show(entry.desired[name])}, live ${show(entry.live[name])}, effective ${show(effective.value)} (${source})`;
    }).join("\n");
}

/** What junitparser must read from the XML made of `audit`. */
/** Read, but not as desired: each a JUnit failure of its own type. */
const NOT_IN_DESIRED_STATE: readonly string[] = ["drift", "overridden", "no-such-site"];

function expectedReading(audit: AuditReport): Omit<JunitReading, "recounted"> {
    const names = [...new Set(audit.servers.map((entry) => entry.name))];
    const suites = names.map((name): ReadSuite => {
        const rows = audit.servers.filter((entry) => entry.name === name);
        const target = rows[0].target;
        return {
            name: readBack(name),
            hostname: readBack(target.kind === "file" ? target.path : target.host),
            timestamp: audit.startedAt,
            time: 0,
            tests: rows.length,
            failures: rows.filter((entry) => NOT_IN_DESIRED_STATE.includes(entry.status)).length,
            errors: rows.filter((entry) => entry.status === "error").length,
            skipped: 0,
            properties: { "target.kind": target.kind, tool: `${audit.tool.name} ${audit.tool.version}` },
            cases: rows.map((entry): ReadCase => ({
                name: readBack(entry.location === "" ? "(server)" : entry.location),
                classname: readBack(`iis-asp-session.${entry.name.split(".").join("_")}`),
                time: 0,
                results: entry.status === "in-sync" ? []
                    : entry.status === "drift"
                        ? [{ tag: "failure", type: "drift", message: `drift: ${entry.differences.join(", ")}`, text: readBack(driftText(entry)) }]
                        : entry.status === "overridden" || entry.status === "no-such-site"
                            ? [{ tag: "failure", type: entry.status, message: readBack(entry.reason!), text: readBack(entry.reason!) }]
                            : [{ tag: "error", type: entry.errorKind!, message: readBack(entry.error!), text: readBack(entry.error!) }],
            })),
        };
    });
    const { locations: tests, error: errors } = audit.summary;
    const failures = audit.summary.drift + audit.summary.overridden + audit.summary.noSuchSite;
    return { root: { name: "iis-asp-session drift", tests, failures, errors, skipped: 0, time: audit.durationMs / 1000 }, suites };
}

// ---------------------------------------------------------------- the parsers

/** Prints what junitparser read: the counts as written, then as junitparser recounts them from the cases. */
const JUNITPARSER = String.raw`
import json, sys
from junitparser import JUnitXml
xml = JUnitXml.fromfile(sys.argv[1])
counts = lambda e: {'tests': e.tests, 'failures': e.failures, 'errors': e.errors, 'skipped': e.skipped}
out = {'root': dict(counts(xml), name=xml.name, time=xml.time), 'suites': []}
for suite in xml:
    out['suites'].append(dict(counts(suite), name=suite.name, hostname=suite.hostname, timestamp=suite.timestamp, time=suite.time,
        properties={p.name: p.value for p in suite.properties()},
        cases=[{'name': case.name, 'classname': case.classname, 'time': case.time,
                'results': [{'tag': r._tag, 'type': r.type, 'message': r.message, 'text': r.text} for r in case.result]} for case in suite]))
xml.update_statistics()
out['recounted'] = {'root': counts(xml), 'suites': [counts(suite) for suite in xml]}
json.dump(out, sys.stdout)
`;

interface Tree { tag: string; attrib: Record<string, string>; text: string | null; children: Tree[] }

/** ElementTree (expat) refuses anything not well-formed; prints the whole tree. */
const ELEMENTTREE = String.raw`
import json, sys
import xml.etree.ElementTree as ET
tree = lambda e: {'tag': e.tag, 'attrib': e.attrib, 'text': e.text, 'children': [tree(c) for c in e]}
json.dump(tree(ET.parse(sys.argv[1]).getroot()), sys.stdout)
`;

const INSTALL_HINT = "install with: apt-get install -y python3-junitparser, or pip install junitparser";

/** Debian's python3 first (where apt puts python3-junitparser), then python3 on PATH: the first that can import `module`. */
function pythonWith(module: string): string | undefined {
    return ["/usr/bin/python3", "python3"].find((python) => spawnSync(python, ["-c", `import ${module}`]).status === 0);
}

const junitPython = pythonWith("junitparser");
const anyPython = junitPython ?? pythonWith("xml.etree.ElementTree");

/** The XML written as the CLI writes --junit's file, then read by `script`. */
function readWith<T>(python: string, script: string, file: string): T {
    const run = spawnSync(python, ["-c", script, file], { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
    assert.strictEqual(run.status, 0, `${python} failed reading ${file}:\n${run.stderr}`);
    return JSON.parse(run.stdout) as T;
}

// ---------------------------------------------------------------- tests

describe("drift --junit: renderJunitReport read back by independent parsers", function () {
    this.timeout(60_000);
    let scratch: string;
    let written = 0;

    before(() => {
        scratch = scratchDir("asp-junit-");
    });
    after(() => {
        fs.rmSync(scratch, { recursive: true, force: true });
    });

    function write(xml: string): string {
        const file = path.join(scratch, `report-${++written}.xml`);
        fs.writeFileSync(file, xml, "utf8");
        return file;
    }

    function needJunitparser(context: Mocha.Context): string {
        if (junitPython !== undefined) return junitPython;
        if (underCi) throw new Error(`CI=true but no python3 can import junitparser: ${INSTALL_HINT}`);
        console.log(`      junitparser checks SKIPPED: no python3 can import junitparser (${INSTALL_HINT})`);
        return context.skip();
    }

    function needPython(context: Mocha.Context): string {
        if (anyPython !== undefined) return anyPython;
        if (underCi) throw new Error("CI=true but python3 is not installed");
        console.log("      ElementTree checks SKIPPED: python3 is not installed");
        return context.skip();
    }

    const reports = [
        ["a realistic fleet", fleetReport],
        ["a hostile report (control characters, lone surrogate, emoji, CR)", nastyReport],
        ["sampleReport.ts's fleet (web01..web07)", shared.sampleReport],
        ["sampleReport.ts's hostile report (markup everywhere, timestamp included)", shared.hostileReport],
    ] as const;
    for (const [title, make] of reports) {
        describe(title, () => {
            const audit = make();
            const xml = renderJunitReport(audit);

            it("junitparser reads one suite per server, one case per location, drift as failures and errors as errors, text intact", function () {
                const reading = readWith<JunitReading>(needJunitparser(this), JUNITPARSER, write(xml));
                const { recounted, ...read } = reading;
                assert.deepStrictEqual(read, expectedReading(audit));
                // junitparser's own count of the cases agrees with the counts written.
                const counts = ({ tests, failures, errors, skipped }: Counts): Counts => ({ tests, failures, errors, skipped });
                assert.deepStrictEqual(recounted, { root: counts(read.root), suites: read.suites.map(counts) });
            });

            it("counts at root and suite level match report.summary", function () {
                const reading = readWith<JunitReading>(needJunitparser(this), JUNITPARSER, write(xml));
                const { summary } = audit;
                assert.strictEqual(reading.suites.length, summary.servers);
                assert.deepStrictEqual(
                    { tests: reading.root.tests, failures: reading.root.failures, errors: reading.root.errors },
                    { tests: summary.locations, failures: summary.drift + summary.overridden + summary.noSuchSite, errors: summary.error },
                );
                const sum = (key: keyof Counts) => reading.suites.reduce((total, suite) => total + suite[key], 0);
                assert.deepStrictEqual({ tests: sum("tests"), failures: sum("failures"), errors: sum("errors") }, { tests: summary.locations, failures: summary.drift + summary.overridden + summary.noSuchSite, errors: summary.error });
                const passed = reading.suites.flatMap((suite) => suite.cases).filter((testcase) => testcase.results.length === 0).length;
                assert.strictEqual(passed, summary.inSync);
            });

            it("is well-formed XML 1.0 for ElementTree (expat), with the declared shape", function () {
                const root = readWith<Tree>(needPython(this), ELEMENTTREE, write(xml));
                assert.ok(xml.startsWith(`<?xml version="1.0" encoding="UTF-8"?>\n`));
                assert.strictEqual(root.tag, "testsuites");
                assert.deepStrictEqual(Object.keys(root.attrib).sort(), ["errors", "failures", "name", "skipped", "tests", "time", "timestamp"]);
                assert.match(root.attrib.time, /^\d+\.\d{3}$/);
                assert.strictEqual(Number(root.attrib.time), audit.durationMs / 1000);
                for (const suite of root.children) {
                    assert.strictEqual(suite.tag, "testsuite");
                    assert.deepStrictEqual(Object.keys(suite.attrib).sort(), ["errors", "failures", "hostname", "name", "skipped", "tests", "time", "timestamp"]);
                    assert.strictEqual(suite.attrib.time, "0.000");
                    assert.deepStrictEqual(suite.children.map((child) => child.tag), ["properties", ...Array(Number(suite.attrib.tests)).fill("testcase")]);
                    for (const testcase of suite.children.slice(1)) {
                        assert.strictEqual(testcase.attrib.time, "0");
                        assert.ok(testcase.children.length <= 1 && testcase.children.every((child) => child.tag === "failure" || child.tag === "error"), JSON.stringify(testcase));
                    }
                }
            });

            it("passes fast-xml-parser's validator, with the same structure", function () {
                assert.strictEqual(XMLValidator.validate(xml), true);
                const parsed = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "", isArray: (name) => ["testsuite", "testcase", "property"].includes(name) }).parse(xml);
                const suites = parsed.testsuites.testsuite ?? [];
                assert.strictEqual(suites.length, audit.summary.servers);
                assert.strictEqual(suites.flatMap((suite: { testcase: unknown[] }) => suite.testcase).length, audit.summary.locations);
            });
        });
    }

    it("reads back hostile text exactly, but for what XML cannot carry, which becomes U+FFFD", function () {
        const xml = renderJunitReport(nastyReport());
        // Checked on the string itself too: writing it as UTF-8 would turn a lone surrogate into U+FFFD anyway.
        assert.doesNotMatch(xml, /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|\p{Cs}/u);
        const reading = readWith<JunitReading>(needJunitparser(this), JUNITPARSER, write(xml));
        const carried = `<&"'>]]>\ufffd\ufffd[31m\ufffd😀\ufffd\r\n\tend`;
        const [first, second] = reading.suites;
        assert.strictEqual(first.name, `web<01>&"'${carried}`);
        assert.strictEqual(first.hostname, `host${carried}`);
        assert.strictEqual(first.cases[0].classname, `iis-asp-session.web<01>&"'${carried}`);
        assert.deepStrictEqual(first.cases[1], {
            name: `Default Web Site/${carried}`, classname: `iis-asp-session.web<01>&"'${carried}`, time: 0,
            results: [{
                tag: "failure", type: "drift", message: "drift: timeout",
                text: `timeout: desired 00:30:00${carried}, live 00:20:00${carried}, effective 00:20:00${carried} (parent Default Web Site${carried})`,
            }],
        });
        const message = `refused: ${carried}\r\nsecond line ]]> <![CDATA[ x ]]>`;
        assert.deepStrictEqual(first.cases[2].results, [{ tag: "error", type: "other", message, text: message }]);
        assert.strictEqual(second.hostname, `C:\\inetpub\\${carried}\\applicationHost.config`);
        // A dotted server name keeps its dots in the suite name, not in classname (Jenkins splits classname at its last dot).
        assert.strictEqual(second.name, `web02.contoso.com${carried}`);
        assert.strictEqual(second.cases[0].classname, `iis-asp-session.web02_contoso_com${carried}`);
        assert.deepStrictEqual(second.cases[0].results, [{ tag: "error", type: "missing", message: carried, text: carried }]);
    });

    it("pins the format of a drift and an error case", function () {
        const xml = renderJunitReport(fleetReport());
        assert.ok(xml.includes([
            `    <testcase name="Default Web Site/shop" classname="iis-asp-session.web02" time="0">`,
            `      <failure message="drift: max, timeout" type="drift">max: desired 500, live not set, effective 200 (parent Default Web Site)`,
            `timeout: desired 00:30:00, live 00:20:00, effective 00:20:00 (location)</failure>`,
            `    </testcase>`,
        ].join("\n")), xml);
        assert.ok(xml.includes(`<error message="web04.contoso.com:5986: connecting: connect ETIMEDOUT 10.0.0.4:5986&#10;  after 3 attempts" type="unreachable">web04.contoso.com:5986: connecting: connect ETIMEDOUT 10.0.0.4:5986\n  after 3 attempts</error>`), xml);
        assert.ok(xml.includes(`<testsuite name="web03" tests="2" failures="1" errors="1" skipped="0" time="0.000" timestamp="2026-03-02T08:15:30.250Z" hostname="/srv/iis/web03/applicationHost.config">`), xml);
    });

    it("an empty audit is an empty, well-formed <testsuites>", function () {
        const xml = renderJunitReport(report([], 0));
        assert.strictEqual(XMLValidator.validate(xml), true);
        assert.match(xml, /<testsuites name="iis-asp-session drift" tests="0" failures="0" errors="0" skipped="0" time="0.000" /);
        const root = readWith<Tree>(needPython(this), ELEMENTTREE, write(xml));
        assert.deepStrictEqual(root.children, []);
    });
});
