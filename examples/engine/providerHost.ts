/**
 * Pulumi's real dynamic-provider host (the process the CLI starts for dynamic resources), started
 * from @pulumi/pulumi and driven over gRPC the way the engine drives it. This is what lets the
 * provider run end to end without the Pulumi CLI, which cannot be installed here.
 */
import { ChildProcess, spawn } from "child_process";
import * as path from "path";

/* eslint-disable @typescript-eslint/no-var-requires */
const pulumiDir = path.dirname(require.resolve("@pulumi/pulumi/package.json"));
const fromPulumi = (name: string) => require(require.resolve(name, { paths: [pulumiDir] }));
const grpc = fromPulumi("@grpc/grpc-js");
const structproto = fromPulumi("google-protobuf/google/protobuf/struct_pb");
const provproto = require("@pulumi/pulumi/proto/provider_pb");
const provrpc = require("@pulumi/pulumi/proto/provider_grpc_pb");
const emptyproto = fromPulumi("google-protobuf/google/protobuf/empty_pb");
const statusproto = require("@pulumi/pulumi/proto/status_pb");

export type Properties = Record<string, unknown>;

export interface CheckReply {
    inputs: Properties;
    failures: Array<{ property: string; reason: string }>;
}

export interface DiffReply {
    changes: "unknown" | "none" | "some";
    replaces: string[];
    deleteBeforeReplace: boolean;
}

/**
 * A partial failure: the resource was created (or updated) but did not initialise. The engine
 * reads it from the gRPC status details (pulumirpc.ErrorResourceInitFailed in
 * `grpc-status-details-bin`, as the dynamic-provider host packs it) and keeps `properties` in the
 * stack under `id`, so the next update or delete starts from them.
 */
export interface InitFailure {
    id: string;
    properties: Properties;
    reasons: string[];
}

/** A gRPC failure from the host, with the provider's own message. */
export class ProviderCallError extends Error {
    constructor(readonly method: string, readonly code: number, readonly details: string, readonly initFailure?: InitFailure) {
        super(`${method} failed: ${details}`);
        this.name = "ProviderCallError";
    }
}

/** The ErrorResourceInitFailed detail of a failed call's metadata, if it carries one. */
function initFailureOf(metadata: { get(key: string): Array<string | Buffer> } | undefined): InitFailure | undefined {
    const packed = metadata?.get("grpc-status-details-bin")?.[0];
    if (packed === undefined) return undefined;
    const status = statusproto.Status.deserializeBinary(new Uint8Array(Buffer.isBuffer(packed) ? packed : Buffer.from(packed, "base64")));
    for (const detail of status.getDetailsList()) {
        if (detail.getTypeName() !== "pulumirpc.ErrorResourceInitFailed") continue;
        const failure = provproto.ErrorResourceInitFailed.deserializeBinary(detail.getValue_asU8());
        return { id: failure.getId(), properties: failure.getProperties()?.toJavaScript() ?? {}, reasons: failure.getReasonsList() };
    }
    return undefined;
}

const DIFF_CHANGES: Record<number, DiffReply["changes"]> = { 0: "unknown", 1: "none", 2: "some" };

/** The host of the program's own @pulumi/pulumi, as the CLI starts it; else this repository's. */
function hostEntry(programDir: string): string {
    const entry = "@pulumi/pulumi/cmd/dynamic-provider/index.js";
    try {
        return require.resolve(entry, { paths: [programDir] });
    } catch {
        return require.resolve(entry);
    }
}

export class ProviderHost {
    private constructor(private readonly child: ChildProcess, private readonly client: any, readonly port: number, private readonly callTimeoutMs: number) {}

    /** Starts the host with `cwd` as its working directory (where it resolves `require`s of provider code). */
    /**
     * `timeoutMs`: for the host to start. `callTimeoutMs`: the deadline of each call (default
     * 120 s); the engine sets none, so a test whose calls queue behind each other may want more.
     */
    static async start(options: { cwd: string; timeoutMs?: number; callTimeoutMs?: number }): Promise<ProviderHost> {
        const entry = hostEntry(options.cwd);
        const child = spawn(process.execPath, [entry, "127.0.0.1:1"], { cwd: options.cwd, stdio: ["ignore", "pipe", "pipe"] });
        let stderr = "";
        child.stderr?.on("data", (chunk) => { stderr += chunk; });
        const port = await new Promise<number>((resolve, reject) => {
            let stdout = "";
            const timer = setTimeout(() => reject(new Error(`provider host did not print its port within ${options.timeoutMs ?? 20000} ms; stderr: ${stderr}`)), options.timeoutMs ?? 20000);
            child.stdout?.on("data", (chunk) => {
                stdout += chunk;
                const line = stdout.split("\n")[0];
                if (stdout.includes("\n") && /^\d+$/.test(line.trim())) {
                    clearTimeout(timer);
                    resolve(Number(line.trim()));
                }
            });
            child.on("exit", (code) => { clearTimeout(timer); reject(new Error(`provider host exited with ${code}: ${stderr}`)); });
        });
        const client = new provrpc.ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
        const host = new ProviderHost(child, client, port, options.callTimeoutMs ?? 120_000);
        host.stderrText = () => stderr;
        return host;
    }

    /** The host process's id (for measuring it). */
    get pid(): number | undefined {
        return this.child.pid;
    }

    /** What the host printed on stderr so far (provider errors are logged there). */
    stderrText: () => string = () => "";

    private call<T>(method: string, request: unknown, timeoutMs = this.callTimeoutMs): Promise<T> {
        return new Promise((resolve, reject) => {
            const deadline = new Date(Date.now() + timeoutMs);
            this.client[method](request, { deadline }, (error: { code: number; details?: string; message?: string; metadata?: { get(key: string): Array<string | Buffer> } } | null, reply: T) => {
                // Create and Update failures carry the provider's message in `message` ("2 UNKNOWN: ..."), others in `details`.
                if (error) reject(new ProviderCallError(method, error.code, error.details || (error.message ?? "").replace(/^\d+ [A-Z_]+: /, ""), initFailureOf(error.metadata)));
                else resolve(reply);
            });
        });
    }

    async configure(config: Record<string, string> = {}): Promise<void> {
        const request = new provproto.ConfigureRequest();
        request.setArgs(structproto.Struct.fromJavaScript(config));
        request.setAcceptsecrets(false);
        await this.call("configure", request);
    }

    async check(urn: string, olds: Properties, news: Properties): Promise<CheckReply> {
        const request = new provproto.CheckRequest();
        request.setUrn(urn);
        request.setOlds(structproto.Struct.fromJavaScript(olds));
        request.setNews(structproto.Struct.fromJavaScript(news));
        const reply = await this.call<any>("check", request);
        return {
            inputs: reply.getInputs()?.toJavaScript() ?? {},
            failures: reply.getFailuresList().map((f: any) => ({ property: f.getProperty(), reason: f.getReason() })),
        };
    }

    async diff(id: string, urn: string, olds: Properties, news: Properties): Promise<DiffReply> {
        const request = new provproto.DiffRequest();
        request.setId(id);
        request.setUrn(urn);
        request.setOlds(structproto.Struct.fromJavaScript(olds));
        request.setNews(structproto.Struct.fromJavaScript(news));
        const reply = await this.call<any>("diff", request);
        return { changes: DIFF_CHANGES[reply.getChanges()], replaces: reply.getReplacesList(), deleteBeforeReplace: reply.getDeletebeforereplace() };
    }

    async create(urn: string, properties: Properties): Promise<{ id: string; properties: Properties }> {
        const request = new provproto.CreateRequest();
        request.setUrn(urn);
        request.setProperties(structproto.Struct.fromJavaScript(properties));
        const reply = await this.call<any>("create", request);
        return { id: reply.getId(), properties: reply.getProperties()?.toJavaScript() ?? {} };
    }

    async read(id: string, urn: string, properties: Properties, inputs: Properties = {}): Promise<{ id: string; properties: Properties; inputs: Properties }> {
        const request = new provproto.ReadRequest();
        request.setId(id);
        request.setUrn(urn);
        request.setProperties(structproto.Struct.fromJavaScript(properties));
        request.setInputs(structproto.Struct.fromJavaScript(inputs));
        const reply = await this.call<any>("read", request);
        return { id: reply.getId(), properties: reply.getProperties()?.toJavaScript() ?? {}, inputs: reply.getInputs()?.toJavaScript() ?? {} };
    }

    async update(id: string, urn: string, olds: Properties, news: Properties): Promise<{ properties: Properties }> {
        const request = new provproto.UpdateRequest();
        request.setId(id);
        request.setUrn(urn);
        request.setOlds(structproto.Struct.fromJavaScript(olds));
        request.setNews(structproto.Struct.fromJavaScript(news));
        const reply = await this.call<any>("update", request);
        return { properties: reply.getProperties()?.toJavaScript() ?? {} };
    }

    async delete(id: string, urn: string, properties: Properties): Promise<void> {
        const request = new provproto.DeleteRequest();
        request.setId(id);
        request.setUrn(urn);
        request.setProperties(structproto.Struct.fromJavaScript(properties));
        await this.call("delete", request);
    }

    async pluginInfo(): Promise<string> {
        const reply = await this.call<any>("getPluginInfo", new emptyproto.Empty());
        return reply.getVersion();
    }

    async stop(): Promise<void> {
        this.client.close();
        if (this.child.exitCode === null) {
            const exited = new Promise((resolve) => this.child.once("exit", resolve));
            this.child.kill("SIGTERM");
            await exited;
        }
    }
}
