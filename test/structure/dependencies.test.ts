/**
 * The dependency rules of the house, over the import graph of the sources: no import circle; the
 * SDK and the command line stand on the pure modules; the pure modules import nothing that does I/O.
 */
import { strict as assert } from "assert";
import { importCircles, importGraph, loadedWith, type ImportEdge } from "./importGraph";

/** Folders that carry commands, store files or act on a server. */
const EFFECTFUL = /^provider\/(carriers|stores|backends)\//;
/** The provider side of the SDK's resources: their types may be shared, their code is the host's. */
const PROVIDER_SIDE = /^provider\/(healthGate\/|provider$|dynamic$|diagnostics$|priorState$|open$)/;
/** The model: what is declared and computed, with no I/O of its own. */
const PURE = /^provider\/(settings|targets|apphost)\//;

const edges = importGraph();
const describeEdge = (edge: ImportEdge) => `${edge.from} -> ${edge.to}${edge.typeOnly ? " (types)" : ""}`;

describe("dependency rules (the import graph of sdk/, cli/ and provider/)", function () {
    it("reads a graph of the size of the project (the parser found the imports)", function () {
        assert.ok(edges.length > 200, `only ${edges.length} imports found`);
        assert.ok(edges.some((edge) => edge.from === "provider/open" && edge.to === "provider/carriers/pool"));
    });

    it("has no import circle", function () {
        assert.deepEqual(importCircles(edges).map((circle) => circle.join(" -> ")), []);
    });

    it("finds a circle when there is one (the check itself)", function () {
        const circle = importCircles([
            { from: "sdk/index", to: "sdk/fleet/index", typeOnly: false },
            { from: "sdk/fleet/index", to: "sdk/fleet/fleet", typeOnly: false },
            { from: "sdk/fleet/fleet", to: "sdk/index", typeOnly: false },
        ]);
        assert.equal(circle.length, 1);
        assert.deepEqual([...new Set(circle[0])].sort(), ["sdk/fleet/fleet", "sdk/fleet/index", "sdk/index"]);
        assert.deepEqual(importCircles([{ from: "a", to: "b", typeOnly: false }, { from: "b", to: "a", typeOnly: true }]), [], "a type-only import loads nothing");
    });

    it("sdk/ imports no carrier, store or backend (not even for types), and no provider-side code", function () {
        const bad = edges.filter((edge) => edge.from.startsWith("sdk/") && (EFFECTFUL.test(edge.to) || (PROVIDER_SIDE.test(edge.to) && !edge.typeOnly)));
        assert.deepEqual(bad.map(describeEdge), []);
    });

    it("cli/ imports no carrier, store or backend (not even for types)", function () {
        const bad = edges.filter((edge) => edge.from.startsWith("cli/") && EFFECTFUL.test(edge.to));
        assert.deepEqual(bad.map(describeEdge), []);
    });

    it("the command line reaches servers only through provider/open, and only from the drift command", function () {
        const opens = edges.filter((edge) => edge.from.startsWith("cli/") && edge.to === "provider/open").map((edge) => edge.from);
        assert.deepEqual(opens.sort(), ["cli/drift/audit", "cli/drift/run"]);
        assert.deepEqual([...loadedWith("cli/main", edges)].filter((module) => !/^cli\/(main|exitCodes)$/.test(module)), [], "main.ts loads the drift command (and with it the carriers) only when it runs");
        assert.ok(edges.some((edge) => edge.from === "cli/main" && edge.to === "cli/drift/run" && edge.lazy === true));
    });

    it("the pure modules (settings, targets, apphost) import only each other", function () {
        const bad = edges.filter((edge) => PURE.test(edge.from) && !PURE.test(edge.to));
        assert.deepEqual(bad.map(describeEdge), []);
    });

    it("opening a target loads each carrier only when a target of its kind is opened", function () {
        const loaded = [...loadedWith("provider/open", edges)];
        // The XML reader under wsman/ also decodes PowerShell's CLIXML; it opens no connection.
        assert.deepEqual(loaded.filter((module) => /^provider\/carriers\/(ssh|winrm)\//.test(module) && !/^provider\/carriers\/winrm\/wsman\/(xml-reader|namespaces)$/.test(module)), []);
    });

    it("carriers import no store, backend, PowerShell script or target: they only carry bytes", function () {
        const bad = edges.filter((edge) => edge.from.startsWith("provider/carriers/") && !edge.to.startsWith("provider/carriers/"));
        assert.deepEqual(bad.map(describeEdge), []);
    });
});
